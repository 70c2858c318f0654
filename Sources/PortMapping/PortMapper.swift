import Foundation
import InternetAddress
import Logging

/// Maps ports on the home router with whichever protocol it speaks: PCP, then NAT-PMP, then UPnP.
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
    private var upnpDevice: UPnPDevice?
    /// Protocols the last probe found silent; skipped by map() until the next probe or invalidate().
    private var silent: Set<MappingProtocol> = []
    private var natpmpEpoch = NATPMPEpochTracker()
    private var pcpEpoch = NATPMPEpochTracker()
    private var pcpNonces: [String: PCPMessage.Nonce] = [:]
    /// Mappings made through this mapper and not removed, by key.
    private var held: [String: PortMappingLease] = [:]
    public private(set) var lastReport: RouterReport?
    /// Goes up each time a NAT-PMP or PCP epoch shows the router lost its mappings; a keeper
    /// that sees it change re-maps everything.
    public private(set) var routerStateGeneration = 0

    public init(configuration: Configuration = Configuration(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.gatewayIsFixed = false
    }

    /// Uses a known gateway instead of discovering it.
    public init(gateway: GatewayInfo, configuration: Configuration = Configuration(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.gatewayInfo = gateway
        self.gatewayIsFixed = true
    }

    /// Forgets the cached gateway, UPnP device and silent protocols (call after an announcement
    /// or a network change).
    public func invalidate() {
        if !gatewayIsFixed { gatewayInfo = nil }
        upnpDevice = nil
        silent = []
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

    public func probe() async -> RouterReport {
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
        let config = configuration, logger = self.logger
        async let upnpResult = config.protocols.contains(.upnp)
            ? Self.probeUPnP(info, config: config, logger: logger) : (ProtocolProbeResult(mappingProtocol: .upnp, error: "disabled"), nil)
        async let natpmpResult = config.protocols.contains(.natpmp)
            ? Self.probeNATPMP(info, config: config, logger: logger) : ProtocolProbeResult(mappingProtocol: .natpmp, error: "disabled")
        async let pcpResult = config.protocols.contains(.pcp)
            ? Self.probePCP(info, config: config, logger: logger) : ProtocolProbeResult(mappingProtocol: .pcp, error: "disabled")
        let (upnp, device) = await upnpResult
        let natpmp = await natpmpResult
        let pcp = await pcpResult
        upnpDevice = device
        if let epoch = natpmp.epoch { noteEpoch(epoch, for: .natpmp) }
        if let epoch = pcp.epoch { noteEpoch(epoch, for: .pcp) }
        silent = Set([upnp, natpmp, pcp].filter { !$0.available }.map(\.mappingProtocol))
        let report = Self.summarize(info: info, upnp: upnp, natpmp: natpmp, pcp: pcp)
        lastReport = report
        return report
    }

    /// Combines per-protocol results into the report's verdicts.
    static func summarize(info: GatewayInfo?, upnp: ProtocolProbeResult, natpmp: ProtocolProbeResult, pcp: ProtocolProbeResult) -> RouterReport {
        let ordered = [pcp, natpmp, upnp]
        let addresses = ordered.compactMap { $0.externalAddress.flatMap { IPAddress($0, family: .ipv4) } }
        let best = addresses.first { !$0.isReservedForNonPublicUse && $0 != .ipv4Unspecified } ?? addresses.first { $0 != .ipv4Unspecified }
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
        let emptyOrReserved = available.contains { result in
            guard let text = result.externalAddress else { return false }
            guard let address = IPAddress(text, family: .ipv4) else { return true }
            return address == .ipv4Unspecified || address.isReservedForNonPublicUse
        }
        let refusedEverywhere = capability == .refused
        return RouterReport(gateway: info?.gateway, localAddress: info?.localAddress, interfaceName: info?.interfaceName,
                            upnp: upnp, natpmp: natpmp, pcp: pcp, bestExternalAddress: best,
                            behindAnotherNAT: emptyOrReserved || refusedEverywhere, mapping: capability,
                            probedAt: Date(), error: nil)
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }

    private static func testPort() -> UInt16 { UInt16.random(in: 40000...59999) }

    /// Removes a probe's test mapping even when the probe is being cancelled (the daemon
    /// stopping mid-probe): the removal runs in a task of its own, which does not inherit the
    /// cancellation, and is bounded by the client's request timeout. Without this a SIGTERM
    /// between the add and the delete left the mapping on the router for its whole lease.
    private static func removeProbeMapping(_ remove: @escaping @Sendable () async throws -> Void,
                                           failed: (any Error) -> Void = { _ in }) async {
        let outcome = await Task { () -> (any Error)? in
            do {
                try await remove()
                return nil
            } catch {
                return error
            }
        }.value
        if let outcome { failed(outcome) }
    }

    private static func outcome(of error: Error) -> MappingOutcome {
        if let error = error as? PortMappingError, let code = error.routerCode { return .refused(code: code, reason: "\(error)") }
        return .refused(code: -1, reason: "\(error)")
    }

    static func probeUPnP(_ info: GatewayInfo, config: Configuration, logger: Logger) async -> (ProtocolProbeResult, UPnPDevice?) {
        var result = ProtocolProbeResult(mappingProtocol: .upnp)
        let client = UPnPClient(gateway: info.gateway, localAddress: info.localAddress, ssdpPort: config.ssdpPort,
                                discoveryTimeout: config.probeTimeout, httpTimeout: config.probeTimeout * 2, logger: logger)
        let start = ContinuousClock.now
        let device: UPnPDevice
        do {
            device = try await client.discover()
        } catch {
            result.error = "\(error)"
            return (result, nil)
        }
        result.available = true
        result.latencyMilliseconds = milliseconds(since: start)
        result.upnpControlURL = device.controlURL.description
        result.upnpServiceType = device.serviceType
        do {
            result.externalAddress = try await client.externalIPAddress(device)
        } catch {
            result.error = "\(error)"
        }
        result.upnpConnectionStatus = try? await client.statusInfo(device).status
        if config.testMappingInProbe {
            let port = testPort()
            do {
                try await client.addPortMapping(device, proto: .udp, externalPort: port, internalPort: port,
                                                internalClient: info.localAddress, description: "homeport probe", lease: 60)
                result.mapping = .works
            } catch {
                result.mapping = outcome(of: error)
            }
            // Also after a failed or cancelled add: the router may have granted it anyway.
            await removeProbeMapping {
                try await client.deletePortMapping(device, proto: .udp, externalPort: port)
            } failed: { error in
                if result.mapping == .works { logger.warning("upnp: could not remove the probe mapping UDP \(port): \(error)") }
            }
        }
        return (result, device)
    }

    static func probeNATPMP(_ info: GatewayInfo, config: Configuration, logger: Logger) async -> ProtocolProbeResult {
        var result = ProtocolProbeResult(mappingProtocol: .natpmp)
        let client = NATPMPClient(gateway: info.gateway, localAddress: info.localAddress, serverPort: config.natpmpPort,
                                  timeout: config.probeTimeout, logger: logger)
        let start = ContinuousClock.now
        do {
            let response = try await client.publicAddress()
            result.available = true
            result.latencyMilliseconds = milliseconds(since: start)
            result.epoch = response.epoch
            result.externalAddress = response.address == .ipv4Unspecified ? "" : response.address.description
        } catch let error as PortMappingError where error.isRefusal {
            // It answered: NAT-PMP is there, it just will not tell (e.g. 3, network failure, with no WAN address).
            result.available = true
            result.latencyMilliseconds = milliseconds(since: start)
            result.error = "\(error)"
        } catch {
            result.error = "\(error)"
            return result
        }
        if config.testMappingInProbe {
            let port = testPort()
            do {
                let mapped = try await client.map(proto: .udp, internalPort: port, suggestedExternalPort: port, lifetime: 60)
                result.mapping = .works
                result.epoch = mapped.epoch
            } catch {
                result.mapping = outcome(of: error)
            }
            await removeProbeMapping { try await client.unmap(proto: .udp, internalPort: port) }
        }
        return result
    }

    static func probePCP(_ info: GatewayInfo, config: Configuration, logger: Logger) async -> ProtocolProbeResult {
        var result = ProtocolProbeResult(mappingProtocol: .pcp)
        let client = PCPClient(gateway: info.gateway, localAddress: info.localAddress, serverPort: config.natpmpPort,
                               timeout: config.probeTimeout, logger: logger)
        let start = ContinuousClock.now
        do {
            let header = try await client.announce()
            result.available = true
            result.latencyMilliseconds = milliseconds(since: start)
            result.epoch = header.epoch
        } catch PortMappingError.pcpResult(let code) where code == PCPResultCode.unsupportedVersion {
            result.error = "router speaks NAT-PMP only (PCP UNSUPP_VERSION)"
            return result
        } catch let error as PortMappingError where error.isRefusal {
            result.available = true
            result.latencyMilliseconds = milliseconds(since: start)
            result.error = "\(error)"
        } catch {
            result.error = "\(error)"
            return result
        }
        if config.testMappingInProbe {
            let port = testPort()
            let nonce = PCPMessage.randomNonce()
            do {
                let mapped = try await client.map(nonce: nonce, proto: .udp, internalPort: port, suggestedExternalPort: port, lifetime: 60)
                result.mapping = .works
                result.epoch = mapped.header.epoch
                result.externalAddress = mapped.externalAddress.map { $0 == .ipv4Unspecified ? "" : $0.description } ?? ""
            } catch {
                result.mapping = outcome(of: error)
            }
            await removeProbeMapping { try await client.delete(nonce: nonce, proto: .udp, internalPort: port) }
        }
        return result
    }

    // MARK: map / unmap / list

    private static func key(_ proto: TransportProtocol, _ internalPort: UInt16) -> String { "\(proto.rawValue)/\(internalPort)" }

    private func noteEpoch(_ epoch: UInt32, for proto: MappingProtocol) {
        let reset = proto == .pcp ? pcpEpoch.observe(epoch) : natpmpEpoch.observe(epoch)
        if reset {
            routerStateGeneration += 1
            logger.warning("portmap: \(proto.rawValue) epoch went back to \(epoch): the router lost its mappings")
        }
    }

    /// Maps with the best protocol, falling back to the next on refusal, silence or garbage.
    /// Renewing is calling this again with the same request (the same PCP nonce is reused).
    public func map(_ request: MappingRequest) async throws -> PortMappingLease {
        let info = try gateway()
        var failures: [String] = []
        var lastRefusal: PortMappingError?
        var refusalCodes: [Int] = []
        for proto in [MappingProtocol.pcp, .natpmp, .upnp] where configuration.protocols.contains(proto) {
            if silent.contains(proto) {
                failures.append("\(proto.rawValue): did not answer the last probe")
                continue
            }
            do {
                let lease = try await map(request, with: proto, info: info)
                held[Self.key(request.proto, request.internalPort)] = lease
                return lease
            } catch let error as PortMappingError {
                if proto == .pcp, error == .pcpResult(code: PCPResultCode.unsupportedVersion) {
                    // A NAT-PMP-only router: do not ask in PCP again until the next probe.
                    silent.insert(.pcp)
                }
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

    private func map(_ request: MappingRequest, with proto: MappingProtocol, info: GatewayInfo) async throws -> PortMappingLease {
        let key = Self.key(request.proto, request.internalPort)
        let previous = held[key]
        let suggested = request.externalPort != 0 ? request.externalPort : (previous?.externalPort ?? request.internalPort)
        switch proto {
        case .pcp:
            let client = PCPClient(gateway: info.gateway, localAddress: info.localAddress, serverPort: configuration.natpmpPort,
                                   timeout: configuration.requestTimeout, logger: logger)
            let nonce = pcpNonces[key] ?? PCPMessage.randomNonce()
            pcpNonces[key] = nonce
            let response = try await client.map(nonce: nonce, proto: request.proto, internalPort: request.internalPort,
                                                suggestedExternalPort: suggested, suggestedExternalAddress: previous?.externalAddress,
                                                lifetime: request.lifetime)
            noteEpoch(response.header.epoch, for: .pcp)
            return PortMappingLease(proto: request.proto, internalAddress: info.localAddress, internalPort: request.internalPort,
                                    externalAddress: response.externalAddress, externalPort: response.externalPort,
                                    mappingProtocol: .pcp, lifetime: response.header.lifetime,
                                    expiry: Date().addingTimeInterval(TimeInterval(response.header.lifetime)), request: request,
                                    pcpNonce: nonce.hexString)
        case .natpmp:
            let client = NATPMPClient(gateway: info.gateway, localAddress: info.localAddress, serverPort: configuration.natpmpPort,
                                      timeout: configuration.requestTimeout, logger: logger)
            let response = try await client.map(proto: request.proto, internalPort: request.internalPort,
                                                 suggestedExternalPort: suggested, lifetime: request.lifetime)
            noteEpoch(response.epoch, for: .natpmp)
            let external = try? await client.publicAddress().address
            return PortMappingLease(proto: request.proto, internalAddress: info.localAddress, internalPort: request.internalPort,
                                    externalAddress: external == .ipv4Unspecified ? nil : external, externalPort: response.externalPort,
                                    mappingProtocol: .natpmp, lifetime: response.lifetime,
                                    expiry: Date().addingTimeInterval(TimeInterval(response.lifetime)), request: request)
        case .upnp:
            let (client, device) = try await upnp(info)
            var externalPort = suggested
            let lease: UInt32
            do {
                lease = try await client.addPortMapping(device, proto: request.proto, externalPort: externalPort,
                                                        internalPort: request.internalPort, internalClient: info.localAddress,
                                                        description: request.description, lease: request.lifetime)
            } catch PortMappingError.upnpFault(let code, _) where code == UPnPErrorCode.conflictInMappingEntry && request.externalPort == 0 {
                // Another host holds that port and any external port will do: try one random high port.
                externalPort = UInt16.random(in: 32768...60999)
                logger.info("portmap: upnp external port \(suggested) is taken (718); trying \(externalPort)")
                lease = try await client.addPortMapping(device, proto: request.proto, externalPort: externalPort,
                                                        internalPort: request.internalPort, internalClient: info.localAddress,
                                                        description: request.description, lease: request.lifetime)
            }
            let external = (try? await client.externalIPAddress(device)).flatMap { IPAddress($0, family: .ipv4) }
            return PortMappingLease(proto: request.proto, internalAddress: info.localAddress, internalPort: request.internalPort,
                                    externalAddress: external, externalPort: externalPort, mappingProtocol: .upnp, lifetime: lease,
                                    expiry: lease == 0 ? nil : Date().addingTimeInterval(TimeInterval(lease)), request: request)
        }
    }

    private func upnp(_ info: GatewayInfo) async throws -> (UPnPClient, UPnPDevice) {
        let client = UPnPClient(gateway: info.gateway, localAddress: info.localAddress, ssdpPort: configuration.ssdpPort,
                                discoveryTimeout: configuration.requestTimeout, httpTimeout: configuration.requestTimeout * 2,
                                logger: logger)
        if let upnpDevice { return (client, upnpDevice) }
        let device = try await client.discover()
        upnpDevice = device
        return (client, device)
    }

    /// Removes a mapping made by map().
    public func unmap(_ lease: PortMappingLease) async throws {
        let info = try gateway()
        let key = Self.key(lease.proto, lease.internalPort)
        switch lease.mappingProtocol {
        case .pcp:
            let client = PCPClient(gateway: info.gateway, localAddress: info.localAddress, serverPort: configuration.natpmpPort,
                                   timeout: configuration.requestTimeout, logger: logger)
            guard let nonce = lease.pcpNonce.flatMap(bytes(fromHex:)) ?? pcpNonces[key], nonce.count == 12 else {
                throw PortMappingError.unavailable(.pcp, "the lease has no PCP nonce, so it cannot be deleted")
            }
            try await client.delete(nonce: nonce, proto: lease.proto, internalPort: lease.internalPort)
            pcpNonces[key] = nil
        case .natpmp:
            let client = NATPMPClient(gateway: info.gateway, localAddress: info.localAddress, serverPort: configuration.natpmpPort,
                                      timeout: configuration.requestTimeout, logger: logger)
            try await client.unmap(proto: lease.proto, internalPort: lease.internalPort)
        case .upnp:
            let (client, device) = try await upnp(info)
            try await client.deletePortMapping(device, proto: lease.proto, externalPort: lease.externalPort)
        }
        held[key] = nil
    }

    /// Removes a mapping this process may not have made (e.g. `homeport portmap remove` after the
    /// daemon that made it died): a held lease is unmapped as such; otherwise NAT-PMP deletes by
    /// internal port for this host (miniupnpd also drops PCP-made mappings then) and UPnP deletes
    /// by external port. Succeeds if any protocol removed it; PCP alone cannot, without the nonce.
    public func remove(proto: TransportProtocol, internalPort: UInt16, externalPort: UInt16) async throws {
        if let lease = held[Self.key(proto, internalPort)], lease.externalPort == externalPort {
            try await unmap(lease)
            return
        }
        let info = try gateway()
        var failures: [String] = []
        var removed = false
        if configuration.protocols.contains(.natpmp) || configuration.protocols.contains(.pcp) {
            let client = NATPMPClient(gateway: info.gateway, localAddress: info.localAddress, serverPort: configuration.natpmpPort,
                                      timeout: configuration.requestTimeout, logger: logger)
            do {
                try await client.unmap(proto: proto, internalPort: internalPort)
                removed = true
            } catch {
                failures.append("\(error)")
            }
        }
        if configuration.protocols.contains(.upnp) {
            do {
                let (client, device) = try await upnp(info)
                try await client.deletePortMapping(device, proto: proto, externalPort: externalPort)
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
                let (client, device) = try await upnp(info)
                for entry in try await client.listPortMappings(device) {
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
}
