import Config
import ControlSocket
import Foundation
import History
import Logging
import Paths
import ServiceLifecycle
import StatusModel
import Supervisor

/// `homeport run`: the always-on process. It records its life in the history (start,
/// heartbeats, clean stop), runs the supervisor, serves its state on the control socket,
/// reloads on SIGHUP, and on SIGTERM/SIGINT (through ServiceLifecycle) stops every child
/// before exiting 0.
public final class HomeportDaemon: Service {
    public struct Settings: Sendable {
        public var config: HomeportConfig
        public var stateDirectory: String
        public var executable: String
        public var version: String
        public var builtins: [BuiltinService]
        /// The umask children get; the daemon itself runs with 077.
        public var childUmask: UInt32?
        /// Reads the configuration again for SIGHUP; throws a `ConfigError` on a bad file.
        public var reloadConfig: @Sendable () throws -> HomeportConfig

        public init(config: HomeportConfig, stateDirectory: String, executable: String, version: String,
                    builtins: [BuiltinService], childUmask: UInt32? = nil, reloadConfig: @escaping @Sendable () throws -> HomeportConfig) {
            self.childUmask = childUmask
            self.config = config
            self.stateDirectory = stateDirectory
            self.executable = executable
            self.version = version
            self.builtins = builtins
            self.reloadConfig = reloadConfig
        }
    }

    let settings: Settings
    private let history: HistoryStore
    let logger: Logger

    public init(settings: Settings, history: HistoryStore, logger: Logger) {
        self.settings = settings
        self.history = history
        self.logger = logger
    }

    public func run() async throws {
        let layout = StateLayout(directory: settings.stateDirectory)
        let startedAt = Date()
        let heartbeatInterval = settings.config.daemon.heartbeatInterval
        // Bind first: without its socket the daemon cannot be observed, so that is fatal.
        let control = try await ControlServer.bind(path: layout.controlSocket)
        let runID = try await history.beginDaemonRun(at: startedAt, pid: getpid(), version: settings.version,
                                                    heartbeatInterval: DurationText.seconds(heartbeatInterval))
        await prune(retentionDays: settings.config.daemon.retentionDays)
        let supervisor = Supervisor(launcher: settings.executable, sink: HistorySink(store: history, runID: runID, logger: logger), logger: logger, childUmask: settings.childUmask,
                                    processRecord: layout.serviceProcesses)
        let current = CurrentConfig(settings.config)
        var info = DaemonInfo(running: true, stateDirectory: settings.stateDirectory)
        info.pid = getpid()
        info.version = settings.version
        info.since = startedAt
        info.configFile = settings.config.sourcePath
        let network = NetworkState()
        let commands = ControlCommands(supervisor: supervisor, current: current, info: info, network: network, history: history)
        let networkGroup = SubTaskGroup()
        let networkTasks = NetworkTasks(context: .init(history: history, network: network, stateDirectory: settings.stateDirectory,
                                                       version: settings.version, logger: logger),
                                        tasks: networkGroup)
        // Before the control socket answers: `homeport update` asks it whether the daemon runs
        // the DDNS rounds. The tasks run once the group below runs them.
        await networkTasks.start(settings.config)
        let logger = self.logger

        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await control.serve(commands.handle)
            }
            group.addTask { [self] in
                await heartbeat(runID: runID, every: heartbeatInterval, current: current)
            }
            group.addTask { [self] in
                await reloadOnHangup(supervisor: supervisor, current: current, network: networkTasks)
            }
            group.addTask { await networkGroup.run() }
            group.addTask { [self] in
                await recordRelayUsage(current: current)
            }
            let contacts = OutsideContactWriter(history: history, stateDirectory: settings.stateDirectory, logger: logger)
            group.addTask { await contacts.run(current: current, every: heartbeatInterval) }
            let plan = ServicePlan.make(config: settings.config, builtins: settings.builtins, executable: settings.executable, stateDirectory: settings.stateDirectory)
            if plan.specs.isEmpty {
                logger.notice("no services to run: add [[service]] entries to the config (see `homeport config example`)")
            }
            await supervisor.apply(plan.specs, healthSchedules: plan.healthSchedules)
            logger.info("homeport \(settings.version) running (pid \(getpid()), state in \(settings.stateDirectory))")
            // Returns when SIGTERM/SIGINT arrive, or throws if the task is cancelled; either
            // way the children are stopped below.
            try? await gracefulShutdown()
            logger.info("shutting down: stopping services")
            await supervisor.stopAll(reason: "homeport is shutting down")
            group.cancelAll()
            while let result = await group.nextResult() {
                if case .failure(let error) = result, !(error is CancellationError) {
                    logger.error("\(error)")
                }
            }
        }
        do {
            try await history.endDaemonRun(runID: runID, at: Date())
        } catch {
            logger.error("could not record the clean stop in the history: \(error)")
        }
        logger.info("stopped")
    }

    private func heartbeat(runID: Int64, every interval: Duration, current: CurrentConfig) async {
        var lastPrune = ContinuousClock.now
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            do {
                try await history.heartbeat(runID: runID, at: Date())
            } catch {
                logger.error("could not record a heartbeat in the history: \(error)")
            }
            if ContinuousClock.now - lastPrune >= .seconds(86400) {
                lastPrune = ContinuousClock.now
                await prune(retentionDays: current.config.daemon.retentionDays)
            }
        }
    }

    /// Once a minute, adds what the relay carried since the last look to the day's totals.
    /// A relay restart resets its counters; the new values then count from zero.
    private func recordRelayUsage(current: CurrentConfig, every interval: Duration = .seconds(60)) async {
        var last: (sessions: Int, bytes: Int64)?
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            guard await current.config.relay.enabled,
                  let summary = await ControlCommands.summary(RelaySummary.self, socket: StateLayout(directory: settings.stateDirectory).relayAdminSocket) else { continue }
            let now = (sessions: summary.counters.paired, bytes: summary.bytesRelayed)
            var delta = now
            if let last, now.sessions >= last.sessions, now.bytes >= last.bytes {
                delta = (now.sessions - last.sessions, now.bytes - last.bytes)
            }
            last = now
            guard delta.sessions > 0 || delta.bytes > 0 else { continue }
            do {
                try await history.addRelayUsage(RelayUsageDay(day: RelayUsageDay.dayText(Date()), sessions: delta.sessions, bytes: delta.bytes))
            } catch {
                logger.error("could not record relay usage in the history: \(error)")
            }
        }
    }

    private func prune(retentionDays: Int) async {
        let cutoff = Date().addingTimeInterval(-Double(retentionDays) * 86400)
        do {
            let deleted = try await history.prune(olderThan: cutoff)
            if deleted > 0 { logger.info("pruned \(deleted) history rows older than \(retentionDays) days") }
        } catch {
            logger.error("could not prune the history: \(error)")
        }
    }
}

/// The configuration in force, replaced on reload.
actor CurrentConfig {
    private(set) var config: HomeportConfig

    init(_ config: HomeportConfig) {
        self.config = config
    }

    func set(_ config: HomeportConfig) {
        self.config = config
    }
}
