import Config
import Logging
import Supervisor
import UnixSignals

/// SIGHUP (`systemctl reload homeport`): the configuration is read again and applied, all of it
/// but the keys only a restart applies (`ConfigReloadChange.restartOnlyKeys`), which the
/// summary line names when they changed. A file that does not load changes nothing.
extension HomeportDaemon {
    func reloadOnHangup(supervisor: Supervisor, current: CurrentConfig, network: NetworkTasks) async {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups {
            if Task.isCancelled { return }
            logger.info("SIGHUP: reloading the configuration")
            let config: HomeportConfig
            do {
                config = try settings.reloadConfig()
            } catch {
                logger.error("reload failed, keeping the running configuration: \(error)")
                continue
            }
            for warning in config.warnings { logger.warning("\(warning)") }
            let change = ConfigReloadChange(previous: await current.config, new: config)
            await current.set(config)
            await network.apply(config, change: change)
            let plan = ServicePlan.make(config: config, builtins: settings.builtins, executable: settings.executable, stateDirectory: settings.stateDirectory)
            let services = await supervisor.apply(plan.specs, healthSchedules: plan.healthSchedules)
            logger.info("\(Self.reloadSummary(services: services, change: change))")
        }
    }

    /// One line, only the groups that have something: "reloaded: started web; applied [ip]
    /// http_ipv4; changed, takes effect when homeport restarts: [daemon] log_level".
    static func reloadSummary(services: Supervisor.Change, change: ConfigReloadChange) -> String {
        let groups: [(String, [String])] = [
            ("started", services.started), ("restarted", services.restarted), ("stopped", services.stopped),
            ("unchanged", services.unchanged), ("applied", change.applied),
            ("changed, takes effect when homeport restarts:", change.needsRestart),
        ]
        let parts = groups.filter { !$0.1.isEmpty }.map { "\($0.0) \($0.1.joined(separator: ", "))" }
        return "reloaded: " + (parts.isEmpty ? "nothing to run and nothing changed" : parts.joined(separator: "; "))
    }
}
