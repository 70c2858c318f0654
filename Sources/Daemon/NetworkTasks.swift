import Config
import History
import InternetAddress
import Logging
import PublicIP

/// The daemon's network side from `[ip]`, `[router]` and `[[ddns]]`: the router owner and its
/// announcement listener, the port mapping, the public-address watch and the DDNS task. A
/// reload (`apply`) replaces only what the new configuration changes: a task that must change
/// is stopped (and has finished, mappings removed) before its replacement starts; the agreed
/// addresses carry over, so a reload alone is never an address change.
actor NetworkTasks {
    struct Context: Sendable {
        let history: HistoryStore
        let network: NetworkState
        let stateDirectory: String
        let version: String
        let logger: Logger
    }

    private let context: Context
    private let tasks: SubTaskGroup
    private var config = HomeportConfig()
    private var router: RouterService?
    private var routerListener: SubTask?
    private var portMapping: (task: PortMappingTask, running: SubTask)?
    private var addressWatch: SubTask?
    private var ddns: (task: DDNSTask, running: SubTask)?
    /// The agreed public addresses as last reported, for a replaced address watch or a new DDNS task.
    private var known: [IPFamily: IPAddress] = [:]

    init(context: Context, tasks: SubTaskGroup) {
        self.context = context
        self.tasks = tasks
    }

    /// Starts what `config` asks for.
    func start(_ config: HomeportConfig) async {
        self.config = config
        router = Self.makeRouter(config.router)
        await reconcile(restartAddressWatch: false)
        warnAboutIneffectiveSettings()
    }

    /// A reload to `new`, which differs from the running configuration by `change`.
    func apply(_ new: HomeportConfig, change: ConfigReloadChange) async {
        config = new
        if change.routerRebuilt {
            // The old mapper removes its mappings before a new one (another gateway) maps again.
            await stopPortMapping()
            await addressWatch?.stop()
            addressWatch = nil
            await routerListener?.stop()
            routerListener = nil
            router = Self.makeRouter(new.router)
        }
        await reconcile(restartAddressWatch: change.ipChanged)
        if !change.applied.isEmpty { warnAboutIneffectiveSettings() }
    }

    /// From the address watch: remembered for a reload, then passed on.
    func addressChanged(_ change: IPChange) async {
        let previous = known[change.family]
        known[change.family] = change.new
        // Only a WAN address that replaced a known one means the router may have lost the
        // mappings. The first one learned (at start) changes nothing the keeper's first pass
        // does not already do, and a re-map then renews only the mappings made before it:
        // miniupnpd 2.3.1's nftables backend answers a PCP renewal of TCP P by deleting the
        // first forward rule for the internal address and port whatever its protocol
        // (netfilter_nft/nftnlrdr.c, delete_redirect_and_filter_rules), which can be the one
        // of UDP P mapped after it, and UDP P then stays closed until its own renewal.
        if let previous, previous != change.new {
            await portMapping?.task.recheckNow()
        }
        await ddns?.task.addressChanged(change)
    }

    private static func makeRouter(_ settings: RouterSettings) -> RouterService? {
        settings.enabled ? RouterService(settings: settings, logger: Logger(label: "portmap")) : nil
    }

    /// Brings each task in line with `config`.
    private func reconcile(restartAddressWatch: Bool) async {
        let config = self.config
        // The listener serves the port mapping and the address watch; nobody else needs it.
        let wantListener = router != nil && (config.router.mapPorts || config.ip.enabled)
        if wantListener, routerListener == nil, let router {
            routerListener = tasks.start { await router.run() }
        } else if !wantListener, let listener = routerListener {
            await listener.stop()
            routerListener = nil
        }

        if config.router.mapPorts, let router {
            if let portMapping {
                await portMapping.task.update(config: config)
            } else {
                let task = PortMappingTask(router: router, logger: Logger(label: "portmap"))
                portMapping = (task, tasks.start { await task.run(config: config) })
            }
        } else {
            await stopPortMapping()
        }
        await context.network.set(portMapping: portMapping?.task)

        // A family no longer watched has no address to publish.
        known = known.filter { config.ip.enabled && ($0.key == .ipv4 ? config.ip.ipv4 : config.ip.ipv6) }
        // Before the address watch, which reports to it.
        await reconcileDDNS()

        if restartAddressWatch || !config.ip.enabled, let watch = addressWatch {
            await watch.stop()
            addressWatch = nil
        }
        if config.ip.enabled, addressWatch == nil {
            let watch = PublicAddressTask(config: config, history: context.history, network: context.network, router: router,
                                          knownAddresses: known, logger: Logger(label: "publicip"),
                                          onChange: { change in await self.addressChanged(change) })
            addressWatch = tasks.start { await watch.run() }
        }
    }

    private func warnAboutIneffectiveSettings() {
        if config.router.mapPorts, !config.router.enabled {
            context.logger.warning("[router] map_ports = true has no effect while [router] enabled = false")
        }
        if !config.ddns.isEmpty, !config.ip.enabled {
            context.logger.warning("[[ddns]] entries need [ip] enabled = true to learn the address to publish")
        }
    }

    private func reconcileDDNS() async {
        let config = self.config
        if config.ddns.isEmpty {
            if let ddns {
                await ddns.running.stop()
                self.ddns = nil
            }
        } else if let ddns {
            await ddns.task.update(config: config)
            await ddns.task.set(addresses: known)
        } else {
            let task = DDNSTask(config: config, history: context.history, stateDirectory: context.stateDirectory,
                                version: context.version, logger: Logger(label: "ddns"))
            // Set before the next suspension: a change reported meanwhile goes to the task.
            ddns = (task, tasks.start { await task.run() })
            await task.set(addresses: known)
        }
        await context.network.set(ddns: ddns?.task)
    }

    private func stopPortMapping() async {
        guard let portMapping else { return }
        await portMapping.running.stop()
        self.portMapping = nil
        await context.network.set(portMapping: nil)
    }
}
