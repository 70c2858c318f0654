import Config
import Foundation
import Logging
import PortMapping
import StatusModel

/// `[router] map_ports = true`: keeps the built-in servers' ports mapped on the router,
/// renews them, maps again after the router forgets, and removes them on shutdown. When the
/// router refuses or is silent, it logs the table the user must enter by hand once.
actor PortMappingTask {
    private let router: RouterService
    private let logger: Logger
    private var keeper: MappingLeaseKeeper?
    private var services: [String: String] = [:]
    private var manualTableLogged = false

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
        // (the refusal report ends after one pass and must leave the mappings alone).
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await keeper.run(announcements: announcements) }
            group.addTask { [self] in await reportRefusals(keeper: keeper) }
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

    /// After the first pass, says once what to forward by hand if the router would not.
    private func reportRefusals(keeper: MappingLeaseKeeper) async {
        while !Task.isCancelled, !manualTableLogged {
            try? await Task.sleep(for: .seconds(5))
            let states = await keeper.states()
            guard !states.contains(where: { if case .pending = $0.state { return true } else { return false } }) else { continue }
            let failed = states.filter { if case .mapped = $0.state { return false } else { return true } }
            manualTableLogged = true
            guard !failed.isEmpty, let local = try? await router.mapper.gateway().localAddress else { return }
            let table = ManualForwardTable.render(ManualForwardTable.rows(for: failed.map(\.request), localAddress: local))
            logger.warning("portmap: the router did not map \(failed.count) port(s); forward them by hand if the router has a public address (`homeport ip` tells):\n\(table)")
        }
    }
}
