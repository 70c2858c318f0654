import Config
import Foundation
import InternetAddress
import Logging
import PortMapping
import StatusModel

/// `[router] map_ports = true`: keeps the built-in servers' ports mapped on the router,
/// renews them, maps again after the router forgets, and removes them on shutdown. When the
/// router refuses or is silent, it logs the table the user must enter by hand, once each time
/// the set of unmapped ports changes, and `status` shows the same table.
actor PortMappingTask {
    /// What the log last said about the ports to forward by hand.
    private struct ManualForwardNotice: Equatable {
        var unmapped: [String]
        var localAddress: IPAddress?
    }

    private let router: RouterService
    private let logger: Logger
    private var keeper: MappingLeaseKeeper?
    private var services: [String: String] = [:]
    private var loggedNotice: ManualForwardNotice?

    init(router: RouterService, logger: Logger) {
        self.router = router
        self.logger = logger
    }

    /// Runs until cancelled; then the keeper removes every mapping it made.
    func run(config: HomeportConfig) async {
        let entries = RouterPortPlan.entries(for: config)
        remember(entries)
        let keeper = MappingLeaseKeeper(mapper: router.mapper, desired: entries.map(\.request), logger: logger)
        self.keeper = keeper
        // The router restarted or its WAN address changed: the keeper maps everything again now.
        let announcements = await router.announcements()
        // Each part runs until the daemon cancels this task; none ends the others by finishing
        // (the log of the forwards by hand must leave the mappings alone).
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await keeper.run(announcements: announcements) }
            group.addTask { [self] in await logManualForwards(keeper: keeper) }
            await group.waitForAll()
        }
    }

    /// A reload: maps what the new config needs, and removes everything when map_ports went off.
    func update(config: HomeportConfig) async {
        let entries = config.router.mapPorts ? RouterPortPlan.entries(for: config) : []
        remember(entries)
        await keeper?.setDesired(entries.map(\.request))
    }

    func recheckNow() async {
        await keeper?.recheckNow()
    }

    func statuses() async -> [PortMappingStatus] {
        guard let keeper else { return [] }
        return await keeper.states().map { status in
            let request = status.request
            var row = PortMappingStatus(service: services[Self.key(request)] ?? "homeport", transport: request.proto.rawValue,
                                        internalPort: Int(request.internalPort), state: "pending")
            switch status.state {
            case .pending:
                break
            case .mapped(let lease):
                row.state = "mapped"
                row.externalPort = Int(lease.externalPort)
                row.externalAddress = lease.externalAddress
                row.mappedBy = lease.mappingProtocol.rawValue
                row.expiresAt = lease.expiry
            case .refused(let reason, _):
                row.state = "refused"
                row.reason = reason
            case .unavailable(let reason):
                row.state = "unavailable"
                row.reason = reason
            }
            return row
        }
    }

    private func remember(_ entries: [RouterPortPlan.Entry]) {
        services = Dictionary(entries.map { (Self.key($0.request), $0.service) }, uniquingKeysWith: { first, _ in first })
    }

    private static func key(_ request: MappingRequest) -> String { "\(request.proto.rawValue)/\(request.internalPort)" }

    /// The forwards to make by hand: every port the router refused or did not answer for, to
    /// this host's LAN address (none while the gateway, and so that address, is unknown).
    func manualForwards() async -> [ManualPortForward] {
        guard let keeper else { return [] }
        let unmapped = await keeper.states().filter(\.state.needsManualForward).map(\.request)
        guard !unmapped.isEmpty, let local = try? await router.mapper.gateway().localAddress else { return [] }
        return ManualForwardTable.rows(for: unmapped, localAddress: local).map { row in
            ManualPortForward(service: services["\(row.proto.rawValue)/\(row.internalPort)"] ?? "homeport", transport: row.proto.rawValue,
                              externalPort: Int(row.externalPort), internalAddress: row.internalAddress, internalPort: Int(row.internalPort),
                              description: row.description)
        }
    }

    /// Logs the forwards to make by hand once every port has been tried, and again only when
    /// the set of unmapped ports or this host's address changes (not on every retry).
    private func logManualForwards(keeper: MappingLeaseKeeper) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            let states = await keeper.states()
            guard !states.contains(where: { $0.state.kind == .pending }) else { continue }
            let unmapped = states.filter(\.state.needsManualForward)
            let local = unmapped.isEmpty ? nil : try? await router.mapper.gateway().localAddress
            let notice = ManualForwardNotice(unmapped: unmapped.map { Self.key($0.request) }, localAddress: local)
            guard notice != loggedNotice else { continue }
            defer { loggedNotice = notice }
            guard !unmapped.isEmpty else {
                if loggedNotice != nil { logger.info("portmap: every port is mapped now; the forwards by hand are no longer needed") }
                continue
            }
            var reasons: [String] = []
            for status in unmapped {
                if case .refused(let reason, _) = status.state, !reasons.contains(reason) { reasons.append(reason) }
                if case .unavailable(let reason) = status.state, !reasons.contains(reason) { reasons.append(reason) }
            }
            let why = reasons.count == 1 ? reasons[0] : "\(reasons.first ?? "") (and other reasons; `homeport status` has each port's)"
            let head = "portmap: \(unmapped.count) of \(states.count) port(s) not mapped: \(why)."
            guard let local else {
                logger.warning("\(head) This host's LAN address is not known, so no table of forwards by hand.")
                continue
            }
            let table = ManualForwardTable.render(ManualForwardTable.rows(for: unmapped.map(\.request), localAddress: local))
            logger.warning("\(head) If the router has a public address (`homeport ip` tells), forward them by hand:\n\(table)")
        }
    }
}

extension MappingLeaseKeeper.State {
    /// The router refused the port or did not answer: it must be forwarded by hand.
    var needsManualForward: Bool {
        switch self {
        case .refused, .unavailable: true
        case .pending, .mapped: false
        }
    }
}
