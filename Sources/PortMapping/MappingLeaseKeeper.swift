import Foundation
import Logging

/// Keeps a desired set of port mappings alive on the router.
///
/// It maps each one, renews at half the granted lifetime, re-maps everything when the router
/// shows it forgot (a NAT-PMP/PCP epoch reset, an announcement, a failed renewal), and removes
/// its mappings when `run()` is cancelled or `removeAll()` is called.
public actor MappingLeaseKeeper {
    /// Encodes flat for JSON: `{"kind":"refused","reason":"...","code":501}` or
    /// `{"kind":"mapped","lease":{...}}`.
    public enum State: Sendable, Codable, Hashable {
        /// Not tried yet.
        case pending
        case mapped(PortMappingLease)
        /// The router answered and said no (e.g. UPnP 501 or PCP NO_RESOURCES behind CGNAT).
        case refused(reason: String, code: Int?)
        /// No protocol answered, or the gateway is unknown.
        case unavailable(reason: String)

        public enum Kind: String, Sendable, Codable {
            case pending, mapped, refused, unavailable
        }

        public var kind: Kind {
            switch self {
            case .pending: .pending
            case .mapped: .mapped
            case .refused: .refused
            case .unavailable: .unavailable
            }
        }

        private enum CodingKeys: String, CodingKey {
            case kind, lease, reason, code
        }

        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            switch try container.decode(Kind.self, forKey: .kind) {
            case .pending: self = .pending
            case .mapped: self = .mapped(try container.decode(PortMappingLease.self, forKey: .lease))
            case .refused: self = .refused(reason: try container.decode(String.self, forKey: .reason),
                                           code: try container.decodeIfPresent(Int.self, forKey: .code))
            case .unavailable: self = .unavailable(reason: try container.decode(String.self, forKey: .reason))
            }
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind, forKey: .kind)
            switch self {
            case .pending: break
            case .mapped(let lease): try container.encode(lease, forKey: .lease)
            case .refused(let reason, let code):
                try container.encode(reason, forKey: .reason)
                try container.encodeIfPresent(code, forKey: .code)
            case .unavailable(let reason): try container.encode(reason, forKey: .reason)
            }
        }
    }

    public struct Status: Sendable, Codable, Hashable {
        public var request: MappingRequest
        public var state: State
        public var lastAttempt: Date?
        public var nextAttempt: Date?
    }

    private let mapper: PortMapper
    private let logger: Logger
    private let retryInterval: Duration
    private var desired: [MappingRequest]
    private var statuses: [String: Status] = [:]
    private var nextAttemptAt: [String: ContinuousClock.Instant] = [:]
    /// The mapper's router-state generation when each lease was granted; a lease from an older
    /// generation was lost by the router and is mapped again at once.
    private var leaseGeneration: [String: Int] = [:]
    private var wakeRequested = false
    /// How long a probe round's finding is trusted before a pass asks the router again.
    private let presenceMaxAge: Duration
    /// The first wait after a probe round nobody answered; each further silent round doubles it,
    /// up to `retryInterval`.
    private let silenceBackoff: Duration
    /// Probe rounds in a row that nobody answered; 0 once the router answers or on recheckNow().
    private var silentRounds = 0

    /// `retryInterval`: how long to wait before trying again after a refusal, and the longest
    /// wait between probe rounds while the router is silent. `silenceBackoff`: the first such
    /// wait (capped at `retryInterval`).
    public init(mapper: PortMapper, desired: [MappingRequest], retryInterval: Duration = .seconds(300),
                silenceBackoff: Duration = .seconds(30), presenceMaxAge: Duration = .seconds(10), logger: Logger) {
        self.mapper = mapper
        self.desired = desired
        self.retryInterval = retryInterval
        self.silenceBackoff = min(silenceBackoff, retryInterval)
        // A silent router's finding must not outlive the wait before it is asked again.
        self.presenceMaxAge = min(presenceMaxAge, self.silenceBackoff)
        self.logger = logger
        for request in desired { statuses[Self.key(request)] = Status(request: request, state: .pending) }
    }

    private static func key(_ request: MappingRequest) -> String { "\(request.proto.rawValue)/\(request.internalPort)" }

    /// Each desired mapping and its state, in the order desired.
    public func states() -> [Status] {
        desired.compactMap { statuses[Self.key($0)] }
    }

    /// Replaces the desired set; mappings no longer wanted are removed on the next pass.
    public func setDesired(_ requests: [MappingRequest]) {
        desired = requests
        for request in requests where statuses[Self.key(request)]?.request != request {
            statuses[Self.key(request)] = Status(request: request, state: .pending)
            nextAttemptAt[Self.key(request)] = nil
        }
        wakeRequested = true
    }

    /// Re-map everything at once (router announcement, network change, WAN address change).
    public func recheckNow() {
        nextAttemptAt.removeAll()
        silentRounds = 0
        wakeRequested = true
    }

    /// Maps and renews until the task is cancelled, then removes every mapping it made.
    /// Announcements (if given) trigger an immediate re-map; whoever hands them out has made
    /// the mapper forget the router first (the daemon's RouterService does).
    public func run(announcements: AsyncStream<RouterAnnouncement>? = nil) async {
        await withTaskGroup(of: Void.self) { group in
            if let announcements {
                group.addTask {
                    for await _ in announcements { await self.recheckNow() }
                }
            }
            // The loop runs until this task is cancelled; a stream that ends (its socket failed)
            // only stops the early re-maps, never the renewals.
            await self.loop()
            group.cancelAll()
        }
        // Cancellation would abort the removal requests themselves; run them in a fresh task.
        await Task { await self.removeAll() }.value
    }

    private func leasesLost() async -> Bool {
        let current = await mapper.routerStateGeneration
        return leaseGeneration.values.contains { $0 != current }
    }

    private func loop() async {
        while !Task.isCancelled {
            wakeRequested = false
            await reconcile()
            let clock = ContinuousClock()
            let next = nextAttemptAt.values.min() ?? clock.now.advanced(by: retryInterval)
            // Short sleeps so recheckNow() and cancellation take effect within a second.
            while !Task.isCancelled, !wakeRequested, clock.now < next {
                try? await Task.sleep(for: min(.seconds(1), next - clock.now))
                // The mapper saw an epoch go back (RFC 6887 section 8.5, RFC 6886 section 3.6)
                // outside a pass, e.g. in a probe: the router lost the leases, so map them now.
                if await leasesLost() { break }
            }
        }
    }

    /// One pass: map what is due, remove what is no longer desired.
    public func reconcile() async {
        let wanted = Set(desired.map(Self.key))
        for (key, status) in statuses where !wanted.contains(key) {
            if case .mapped(let lease) = status.state {
                do { try await mapper.unmap(lease) } catch { logger.warning("portmap: could not remove \(key): \(error)") }
            }
            statuses[key] = nil
            nextAttemptAt[key] = nil
            leaseGeneration[key] = nil
        }
        let now = ContinuousClock.now
        let generation = await mapper.routerStateGeneration
        var due: [MappingRequest] = []
        for request in desired {
            let key = Self.key(request)
            if leaseGeneration[key].map({ $0 != generation }) ?? false {
                logger.warning("portmap: the router lost its mappings; mapping \(key) again")
            } else if let at = nextAttemptAt[key], at > now {
                continue
            }
            due.append(request)
        }
        guard !due.isEmpty else { return }
        // One probe round for the whole pass, every protocol at once: a router that answers
        // none of them makes every due port unavailable together, instead of each port
        // waiting out PCP, NAT-PMP and UPnP one after another.
        let presence = await mapper.presence(maxAge: presenceMaxAge)
        // Stopping cuts the probe short; that is no finding about the router.
        if Task.isCancelled { return }
        if case .silent(let reason) = presence {
            // A router that held our mappings and went quiet may have restarted or moved:
            // find the gateway again in the next round.
            if due.contains(where: { statuses[Self.key($0)]?.state.kind == .mapped }) { await mapper.invalidate() }
            routerIsSilent(due, reason: reason, generation: generation)
            return
        }
        silentRounds = 0
        for request in due {
            await attempt(request)
            if Task.isCancelled { return }
        }
        // A reset noticed late in this pass leaves earlier leases stale: go round again now.
        let current = await mapper.routerStateGeneration
        if leaseGeneration.values.contains(where: { $0 != current }) { wakeRequested = true }
    }

    /// Marks every due port unavailable for the same reason and asks again after the back-off
    /// (30 s, 60 s, ... up to the retry interval), or at once on recheckNow(). A lease that has
    /// not run out and that the router has not shown it lost (`generation`) stays mapped (the
    /// router may only have missed one probe round), so that it is renewed when the router
    /// answers again and removed at shutdown.
    private func routerIsSilent(_ due: [MappingRequest], reason: String, generation: Int) {
        let wait = min(retryInterval, silenceBackoff * (1 << min(silentRounds, 16)))
        silentRounds += 1
        let next = ContinuousClock.now.advanced(by: wait)
        var unavailable = 0
        for request in due {
            let key = Self.key(request)
            var status = statuses[key] ?? Status(request: request, state: .pending)
            status.lastAttempt = Date()
            status.nextAttempt = Date().addingTimeInterval(Double(wait.components.seconds))
            nextAttemptAt[key] = next
            if case .mapped(let lease) = status.state, lease.expiry.map({ $0 > Date() }) ?? true, leaseGeneration[key] == generation {
                statuses[key] = status
                continue
            }
            status.state = .unavailable(reason: reason)
            statuses[key] = status
            leaseGeneration[key] = nil
            unavailable += 1
        }
        logger.debug("portmap: \(reason); \(unavailable) port(s) unavailable, asking again in \(wait.components.seconds) s")
    }

    private func attempt(_ request: MappingRequest) async {
        let key = Self.key(request)
        let previous = statuses[key]?.state
        var status = statuses[key] ?? Status(request: request, state: .pending)
        status.lastAttempt = Date()
        let wait: Duration
        do {
            // Not cancelled with the keeper: a request the router has already granted must
            // come back and be recorded, or `removeAll()` at shutdown would not know the
            // mapping and leave it on the router for its whole lease. Bounded by the mapper's
            // request timeouts.
            let mapper = self.mapper
            let lease = try await Task { try await mapper.map(request) }.value
            status.state = .mapped(lease)
            leaseGeneration[key] = await mapper.routerStateGeneration
            // Renew at half the lifetime (RFC 6886 section 3.3); a permanent UPnP lease is
            // checked again after the retry interval in case the router rebooted.
            wait = lease.lifetime == 0 ? retryInterval : .seconds(max(Int(lease.lifetime) / 2, 5))
            if case .mapped(let old) = previous, old.externalPort == lease.externalPort, old.externalAddress == lease.externalAddress {
                logger.debug("portmap: renewed \(key) via \(lease.mappingProtocol.rawValue)")
            } else {
                logger.info("portmap: mapped \(request.proto.rawValue) \(lease.externalAddress?.description ?? "?"):\(lease.externalPort) -> \(lease.internalAddress):\(lease.internalPort) via \(lease.mappingProtocol.rawValue), lifetime \(lease.lifetime) s")
            }
        } catch let error as PortMappingError {
            leaseGeneration[key] = nil
            status.state = Self.state(for: error)
            if case .mapped = previous {
                // A renewal that fails may mean the router restarted or moved; look again soon.
                await mapper.invalidate()
                wait = min(retryInterval, .seconds(30))
            } else {
                wait = retryInterval
            }
            // Said once per change, not on every retry of the same answer.
            let line = "portmap: \(request.proto.rawValue) \(request.internalPort) not mapped: \(error)"
            if previous == status.state { logger.debug("\(line)") } else { logger.warning("\(line)") }
        } catch {
            leaseGeneration[key] = nil
            status.state = .unavailable(reason: "\(error)")
            wait = retryInterval
        }
        nextAttemptAt[key] = ContinuousClock.now.advanced(by: wait)
        status.nextAttempt = Date().addingTimeInterval(Double(wait.components.seconds))
        statuses[key] = status
    }

    static func state(for error: PortMappingError) -> State {
        switch error {
        case .natpmpResult, .pcpResult, .upnpFault:
            return .refused(reason: "\(error)", code: error.routerCode)
        case .allProtocolsFailed(_, let codes):
            // Refused if any protocol answered and said no; otherwise nothing answered.
            if let code = codes.first { return .refused(reason: "\(error)", code: code) }
            return .unavailable(reason: "\(error)")
        default:
            return .unavailable(reason: "\(error)")
        }
    }

    /// Removes every mapping this keeper made.
    public func removeAll() async {
        for (key, status) in statuses {
            guard case .mapped(let lease) = status.state else { continue }
            do {
                try await mapper.unmap(lease)
                logger.info("portmap: removed \(lease.proto.rawValue) \(lease.externalPort) (\(lease.mappingProtocol.rawValue))")
            } catch {
                logger.warning("portmap: could not remove \(key): \(error)")
            }
            statuses[key]?.state = .pending
        }
        nextAttemptAt.removeAll()
        leaseGeneration.removeAll()
    }
}
