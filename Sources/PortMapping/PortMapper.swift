import Foundation
import InternetAddress
import Logging

/// Maps ports on the home router with whichever protocol it speaks: PCP, then NAT-PMP, then UPnP,
/// each through its own `ProtocolMapper` (`PCPMapper`, `NATPMPMapper`, `UPnPMapper`). This type
/// only chooses among them, remembers which one worked, and keeps the leases it holds.
///
/// Probing runs the three protocols at once with short timeouts (as Tailscale's portmapper does),
/// so a router that speaks none costs about one timeout, not three.
public actor PortMapper {
    public struct Configuration: Sendable {
        /// `[router] gateway`; nil finds the default gateway.
        public var gatewayOverride: String?
        /// Total wait for one probe step of each protocol (UDP retransmissions, SSDP answers, HTTP).
        public var probeTimeout: Duration
        /// Total wait for one map/unmap request.
        public var requestTimeout: Duration
        /// During probe(), make and remove a short test mapping to learn whether mapping works.
        public var testMappingInProbe: Bool
        /// Protocols to use at all.
        public var protocols: Set<MappingProtocol>
        /// Ports, for tests against routers on unusual ports.
        public var natpmpPort: Int
        public var ssdpPort: Int

        public init(gatewayOverride: String? = nil, probeTimeout: Duration = .milliseconds(1500),
                    requestTimeout: Duration = .seconds(2), testMappingInProbe: Bool = true,
                    protocols: Set<MappingProtocol> = Set(MappingProtocol.allCases),
                    natpmpPort: Int = NATPMPMessage.serverPort, ssdpPort: Int = SSDP.port) {
            self.gatewayOverride = gatewayOverride
            self.probeTimeout = probeTimeout
            self.requestTimeout = requestTimeout
            self.testMappingInProbe = testMappingInProbe
            self.protocols = protocols
            self.natpmpPort = natpmpPort
            self.ssdpPort = ssdpPort
        }
    }

    public let configuration: Configuration
    private let logger: Logger
    private var gatewayInfo: GatewayInfo?
    /// The gateway was given to init and is never rediscovered.
    private let gatewayIsFixed: Bool
    private let pcp: PCPMapper
    private let natpmp: NATPMPMapper
    private let upnp: UPnPMapper
    /// Protocols the last probe found silent; tried after the others until the next probe or invalidate().
    private var silent: Set<MappingProtocol> = []
    /// The protocol that made the last mapping; tried first (as Tailscale's portmapper keeps
    /// using the protocol that worked) until invalidate().
    private var lastWorked: MappingProtocol?
    /// Mappings made through this mapper and not removed, by key.
    private var held: [String: PortMappingLease] = [:]
    public private(set) var lastReport: RouterReport?
    /// The probe round running now: `presence(maxAge:)` joins it instead of asking again.
    private var roundInFlight: Task<RouterReport, Never>?
    /// What the last finished probe round found, and when; forgotten by invalidate().
    private var lastPresence: (presence: RouterPresence, at: ContinuousClock.Instant)?

    public init(configuration: Configuration = Configuration(), logger: Logger) {
        self.init(gateway: nil, configuration: configuration, logger: logger)
    }

    /// Uses a known gateway instead of discovering it.
    public init(gateway: GatewayInfo, configuration: Configuration = Configuration(), logger: Logger) {
        self.init(gateway: Optional(gateway), configuration: configuration, logger: logger)
    }

    private init(gateway: GatewayInfo?, configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.gatewayInfo = gateway
        self.gatewayIsFixed = gateway != nil
        let link = RouterLink(configuration: configuration, logger: logger)
        pcp = PCPMapper(link)
        natpmp = NATPMPMapper(link)
        upnp = UPnPMapper(link)
    }

    /// Each protocol's mapper, in the order of preference when nothing is known: PCP, NAT-PMP, UPnP.
    private var mappers: [any ProtocolMapper] { [pcp, natpmp, upnp] }

    private func mapper(for proto: MappingProtocol) -> any ProtocolMapper {
        switch proto {
        case .pcp: pcp
        case .natpmp: natpmp
        case .upnp: upnp
        }
    }

    /// Goes up each time a NAT-PMP or PCP epoch shows the router lost its mappings; a keeper
    /// that sees it change re-maps everything.
    public var routerStateGeneration: Int {
        get async { await pcp.epochResets + natpmp.epochResets }
    }

    /// Forgets the cached gateway, UPnP device and silent protocols (call after an announcement
    /// or a network change).
    public func invalidate() async {
        if !gatewayIsFixed { gatewayInfo = nil }
        silent = []
        lastWorked = nil
        lastPresence = nil
        for mapper in mappers { await mapper.forgetRouter() }
    }

    public func gateway() throws -> GatewayInfo {
        if let gatewayInfo { return gatewayInfo }
        let found = try GatewayDiscovery.discover(override: configuration.gatewayOverride)
        gatewayInfo = found
        return found
    }

    /// Mappings this process holds now.
    public var heldLeases: [PortMappingLease] { Array(held.values) }

    // MARK: probe

    /// Asks the router in every enabled protocol at once; with the configuration's
    /// `testMappingInProbe`, each also makes and removes a short test mapping.
    public func probe() async -> RouterReport {
        await probe(testMapping: configuration.testMappingInProbe)
    }

    public func probe(testMapping: Bool) async -> RouterReport {
        // In a task of its own so that a presence check can join it; the caller's
        // cancellation still reaches it.
        let round = Task { await self.probeRound(testMapping: testMapping) }
        roundInFlight = round
        let report = await withTaskCancellationHandler { await round.value } onCancel: { round.cancel() }
        if roundInFlight == round { roundInFlight = nil }
        return report
    }

    /// Whether any protocol answers: the last probe round's finding when it is younger than
    /// `maxAge`, the round in progress when there is one (the address monitor's probe at
    /// start-up counts), else one new round without a test mapping. Never one request per
    /// port: a keeper asks this once per pass and maps only when the router answers.
    public func presence(maxAge: Duration) async -> RouterPresence {
        if let lastPresence, ContinuousClock.now - lastPresence.at < maxAge { return lastPresence.presence }
        if let roundInFlight {
            let joinedAt = ContinuousClock.now
            _ = await roundInFlight.value
            if let lastPresence, lastPresence.at >= joinedAt { return lastPresence.presence }
        }
        _ = await probe(testMapping: false)
        return lastPresence?.presence ?? .silent(reason: "the router was not probed")
    }

    private func probeRound(testMapping: Bool) async -> RouterReport {
        let report = await askEveryProtocol(testMapping: testMapping)
        // A round its caller gave up on (the daemon stopping) was cut short: no finding.
        if Task.isCancelled { return report }
        let presence = RouterPresence.from(report, pcpVersionRefused: await pcp.speaksOnlyNATPMP, protocols: configuration.protocols,
                                           probeTimeout: configuration.probeTimeout)
        lastPresence = (presence, .now)
        return report
    }

    private func askEveryProtocol(testMapping: Bool) async -> RouterReport {
        let info: GatewayInfo
        do {
            info = try gateway()
        } catch {
            let none = { (p: MappingProtocol) in ProtocolProbeResult(mappingProtocol: p, error: "\(error)") }
            let report = RouterReport(gateway: nil, localAddress: nil, interfaceName: nil, upnp: none(.upnp), natpmp: none(.natpmp),
                                      pcp: none(.pcp), bestExternalAddress: nil, behindAnotherNAT: false, mapping: .unavailable,
                                      probedAt: Date(), error: "\(error)")
            lastReport = report
            return report
        }
        let protocols = configuration.protocols
        let disabled: @Sendable (MappingProtocol) -> ProtocolProbeResult = { ProtocolProbeResult(mappingProtocol: $0, error: "disabled") }
        let upnp = self.upnp, natpmp = self.natpmp, pcp = self.pcp
        async let upnpResult = protocols.contains(.upnp) ? upnp.probe(info, testMapping: testMapping) : disabled(.upnp)
        async let natpmpResult = protocols.contains(.natpmp) ? natpmp.probe(info, testMapping: testMapping) : disabled(.natpmp)
        async let pcpResult = protocols.contains(.pcp) ? pcp.probe(info, testMapping: testMapping) : disabled(.pcp)
        let results = await (upnp: upnpResult, natpmp: natpmpResult, pcp: pcpResult)
        silent = Set([results.upnp, results.natpmp, results.pcp].filter { !$0.available }.map(\.mappingProtocol))
        let report = Self.summarize(info: info, upnp: results.upnp, natpmp: results.natpmp, pcp: results.pcp)
        lastReport = report
        return report
    }

    /// Combines per-protocol results into the report's verdicts.
    static func summarize(info: GatewayInfo?, upnp: ProtocolProbeResult, natpmp: ProtocolProbeResult, pcp: ProtocolProbeResult) -> RouterReport {
        let ordered = [pcp, natpmp, upnp]
        let addresses = ordered.compactMap { $0.externalAddress?.address }
        let best = addresses.first { !$0.isReservedForNonPublicUse } ?? addresses.first
        let available = ordered.filter(\.available)
        let outcomes = available.map(\.mapping)
        let capability: MappingCapability
        if available.isEmpty {
            capability = .unavailable
        } else if outcomes.contains(.works) {
            capability = .works
        } else if outcomes.contains(where: { $0.status == .refused }) {
            capability = .refused
        } else {
            capability = .unknown
        }
        let emptyOrReserved = available.contains { $0.externalAddress?.showsAnotherNAT == true }
        let refusedEverywhere = capability == .refused
        return RouterReport(gateway: info?.gateway, localAddress: info?.localAddress, interfaceName: info?.interfaceName,
                            upnp: upnp, natpmp: natpmp, pcp: pcp, bestExternalAddress: best,
                            behindAnotherNAT: emptyOrReserved || refusedEverywhere, mapping: capability,
                            probedAt: Date(), error: nil)
    }

    // MARK: map / unmap / list

    /// The order to try the enabled protocols in for a request: the one that made its previous
    /// lease (a renewal goes to the mapping's maker), then the one that worked last, then the
    /// rest in PCP, NAT-PMP, UPnP order; those silent in the last probe come last, not never
    /// (a probe that timed out once must not stop renewals).
    func order(previous: MappingProtocol?) -> [MappingProtocol] {
        let preferred = [previous, lastWorked].compactMap { $0 }
        let standard = [MappingProtocol.pcp, .natpmp, .upnp]
        var order: [MappingProtocol] = []
        for proto in preferred + standard.filter({ !silent.contains($0) }) + standard where !order.contains(proto) {
            order.append(proto)
        }
        return order.filter(configuration.protocols.contains)
    }

    /// Maps with the best protocol, falling back to the next on refusal, silence or garbage.
    /// Renewing is calling this again with the same request (the same PCP nonce is reused).
    public func map(_ request: MappingRequest) async throws -> PortMappingLease {
        let info = try gateway()
        let key = mappingKey(request.proto, request.internalPort)
        let previous = held[key]
        let suggested = request.externalPort != 0 ? request.externalPort : (previous?.externalPort ?? request.internalPort)
        var failures: [String] = []
        var lastRefusal: PortMappingError?
        var refusalCodes: [Int] = []
        for proto in order(previous: previous?.mappingProtocol) {
            do {
                let lease = try await mapper(for: proto).map(request, suggestedExternalPort: suggested, previous: previous, on: info)
                held[key] = lease
                lastWorked = proto
                return lease
            } catch let error as PortMappingError {
                logger.info("portmap: \(proto.rawValue) did not map \(request.proto.rawValue) \(request.internalPort): \(error)")
                failures.append("\(error)")
                if let code = error.routerCode {
                    lastRefusal = error
                    refusalCodes.append(code)
                }
            } catch {
                failures.append("\(proto.rawValue): \(error)")
            }
        }
        if failures.count == 1, let lastRefusal { throw lastRefusal }
        throw PortMappingError.allProtocolsFailed(failures, refusalCodes: refusalCodes)
    }

    /// Removes a mapping made by map().
    public func unmap(_ lease: PortMappingLease) async throws {
        let info = try gateway()
        try await mapper(for: lease.mappingProtocol).unmap(lease, on: info)
        held[mappingKey(lease.proto, lease.internalPort)] = nil
    }

    /// Removes a mapping this process may not have made (e.g. `homeport portmap remove` after the
    /// daemon that made it died): a held lease is unmapped as such; otherwise NAT-PMP deletes by
    /// internal port for this host (miniupnpd also drops PCP-made mappings then) and UPnP deletes
    /// by external port. Succeeds if any protocol removed it; PCP alone cannot, without the nonce.
    public func remove(proto: TransportProtocol, internalPort: UInt16, externalPort: UInt16) async throws {
        if let lease = held[mappingKey(proto, internalPort)], lease.externalPort == externalPort {
            try await unmap(lease)
            return
        }
        let info = try gateway()
        var failures: [String] = []
        var removed = false
        if configuration.protocols.contains(.natpmp) || configuration.protocols.contains(.pcp) {
            do {
                try await natpmp.remove(proto: proto, internalPort: internalPort, on: info)
                removed = true
            } catch {
                failures.append("\(error)")
            }
        }
        if configuration.protocols.contains(.upnp) {
            do {
                try await upnp.remove(proto: proto, externalPort: externalPort, on: info)
                removed = true
            } catch PortMappingError.upnpFault(let code, _) where code == 714 && removed {
                // NoSuchEntryInArray: NAT-PMP already removed it.
            } catch {
                failures.append("\(error)")
            }
        }
        if !removed { throw PortMappingError.allProtocolsFailed(failures, refusalCodes: []) }
    }

    /// UPnP's table (when UPnP answers) plus the NAT-PMP/PCP mappings this process holds (those
    /// protocols cannot list). A router row that is one of ours is marked owned, carries the
    /// protocol we made it with, and is not repeated.
    public func list() async throws -> [ListedMapping] {
        let info = try gateway()
        var rows: [ListedMapping] = []
        var upnpError: Error?
        var shown = Set<String>()
        let ours = Dictionary(held.values.map { ("\($0.proto.rawValue)/\($0.externalPort)", $0) }, uniquingKeysWith: { first, _ in first })
        if configuration.protocols.contains(.upnp) {
            do {
                for entry in try await upnp.list(on: info) {
                    let key = "\(entry.proto.rawValue)/\(entry.externalPort)"
                    let lease = ours[key].flatMap { $0.internalAddress.description == entry.internalClient ? $0 : nil }
                    if lease != nil { shown.insert(key) }
                    rows.append(ListedMapping(mappingProtocol: lease?.mappingProtocol ?? .upnp, proto: entry.proto,
                                              externalPort: entry.externalPort, internalClient: entry.internalClient,
                                              internalPort: entry.internalPort, description: entry.description,
                                              enabled: entry.enabled, leaseSeconds: entry.leaseDuration,
                                              ownedByThisProcess: lease != nil))
                }
            } catch {
                upnpError = error
            }
        }
        for (key, lease) in ours where !shown.contains(key) {
            rows.append(ListedMapping(mappingProtocol: lease.mappingProtocol, proto: lease.proto, externalPort: lease.externalPort,
                                      internalClient: lease.internalAddress.description, internalPort: lease.internalPort,
                                      description: lease.request.description, enabled: true, leaseSeconds: lease.lifetime,
                                      ownedByThisProcess: true))
        }
        if rows.isEmpty, let upnpError { throw upnpError }
        return rows.sorted { ($0.externalPort, $0.proto.rawValue) < ($1.externalPort, $1.proto.rawValue) }
    }

    /// The forwards in the router's table, whoever made them, read with UPnP IGD's
    /// GetGenericPortMappingEntry (index 0, 1, … until the router answers an error; at most
    /// `limit` entries; no new request after `listingTime` once the router's control URL is
    /// known). UPnP only: NAT-PMP (RFC 6886) and PCP (RFC 6887) have no request that lists a
    /// router's mappings. Throws when UPnP is not enabled or the router does not answer it.
    public func existingForwards(limit: Int = 256, listingTime: Duration = .seconds(2)) async throws -> [RouterForward] {
        guard configuration.protocols.contains(.upnp) else {
            throw PortMappingError.unavailable(.upnp, "disabled; NAT-PMP and PCP cannot list the router's forwards")
        }
        let info = try gateway()
        let entries = try await upnp.list(on: info, limit: limit, deadline: ContinuousClock.now + listingTime)
        return entries.compactMap(RouterForward.init)
    }
}
