import Config
import Foundation
import History
import InternetAddress
import Logging
import PublicIP

/// Watches the public addresses for the daemon: records every change in the history with the
/// sources that agreed on it, keeps the latest report for `status`, and tells the DDNS task.
struct PublicAddressTask: Sendable {
    let config: HomeportConfig
    let history: HistoryStore
    let network: NetworkState
    /// The daemon's router owner: facts for the detector, announcements for an early look;
    /// nil with `[router] enabled = false`.
    let router: RouterService?
    /// The addresses agreed before a reload replaced this task: finding them again is no change.
    let knownAddresses: [IPFamily: IPAddress]
    let logger: Logger
    /// Called after each recorded change (DDNS rounds hang off this).
    let onChange: @Sendable (IPChange) async -> Void

    func run() async {
        var settings = NetworkComponents.detectionSettings(config.ip)
        if router == nil {
            // Without the router only the interfaces are local; they need no fast polling.
            settings.routerInterval = max(settings.routerInterval, .seconds(60))
        }
        let detector = PublicIPDetector(settings: settings, dnsResolver: DNSWireEchoResolver(), router: router, logger: logger)
        var watcher: NetlinkChangeWatcher?
        do {
            watcher = try NetlinkChangeWatcher()
        } catch {
            logger.notice("public IP: not watching local network changes (\(error)); polling only")
        }
        let monitor = IPMonitor(detector: detector, networkChanges: watcher, knownAddresses: knownAddresses, logger: logger)
        // Each part runs until the daemon cancels this task; none ends the others by finishing
        // (a failed announcement socket used to stop address monitoring for good).
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await monitor.run() }
            if let router {
                group.addTask {
                    // miniupnpd and most NAT-PMP/PCP routers multicast their new address at once.
                    for await announcement in await router.announcements() {
                        monitor.trigger("router announcement (\(announcement.kind.rawValue))", urgent: true)
                    }
                }
            }
            group.addTask {
                for await change in monitor.changes {
                    await record(change)
                    if let report = await monitor.latestReport { await network.set(report: report) }
                }
            }
            group.addTask {
                // Keep the verdict in `status` fresh even when nothing changes.
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(5))
                    if let report = await monitor.latestReport { await network.set(report: report) }
                }
            }
            await group.waitForAll()
        }
        logger.info("public IP: \(monitor.echoRequestsSent) echo requests sent in \(monitor.detectionCount) detections")
    }

    private func record(_ change: IPChange) async {
        let observation = IPObservation(time: change.time, address: change.new,
                                        source: change.sources.joined(separator: "+") + (change.reason.isEmpty ? "" : " (\(change.reason))"))
        do {
            if try await history.recordIPIfChanged(observation) {
                logger.notice("public \(change.family.rawValue) address is now \(change.new) (was \(change.old?.description ?? "unknown"); agreed by \(change.sources.joined(separator: ", ")))")
            }
        } catch {
            logger.error("could not record the public address in the history: \(error)")
        }
        await onChange(change)
    }
}
