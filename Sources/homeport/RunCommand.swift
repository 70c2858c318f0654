import ArgumentParser
import Config
import Daemon
import History
import Logging
import Paths
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the homeport daemon in the foreground.",
        discussion: """
        Supervises the built-in servers and your [[service]] entries (restarting them with back-off), records service events, heartbeats and IP changes in the history, and answers `homeport status` on a control socket in the state directory.
        
        Works with no configuration file at all. SIGHUP reloads the configuration: services whose definition changed restart, and [ip], [router] and [[ddns]] changes apply without a restart (the log names the few [daemon] keys that need one); SIGTERM or Ctrl-C stops every service (SIGTERM, then SIGKILL after its stop_timeout) and exits 0. To run it at boot, see `homeport service install`.
        """
    )

    @OptionGroup var locations: LocationOptions

    @Option(name: .long, help: ArgumentHelp("Override [daemon] log_level (trace, debug, info, notice, warning, error, critical).", valueName: "level"))
    var logLevel: String?

    func validate() throws {
        if let logLevel, LogLevel(rawValue: logLevel) == nil {
            throw ValidationError("--log-level must be one of \(LogLevel.allCases.map(\.rawValue).joined(separator: ", ")), not '\(logLevel)'.")
        }
    }

    func run() async throws {
        // Everything the daemon creates (database, socket, lock) is private to its user;
        // children get back the mask homeport was started with.
        let startingUmask = umask(0o077)
        let resolved: ResolvedLocations
        do {
            resolved = try locations.resolve()
        } catch {
            Terminal.error("\(error)")
            throw ExitCode(78)
        }
        for warning in resolved.config.warnings { Terminal.warning(warning) }

        let lock: InstanceLock
        let history: HistoryStore
        do {
            for warning in try PrivateFiles.prepareDirectory(resolved.stateDirectory) { Terminal.warning(warning) }
            lock = try InstanceLock(stateDirectory: resolved.stateDirectory)
            history = try HistoryStore(path: StateLayout(directory: resolved.stateDirectory).historyDatabase)
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }

        let level = Logger.Level(rawValue: logLevel ?? resolved.config.daemon.logLevel.rawValue) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "homeport")
        let settings = HomeportDaemon.Settings(
            config: resolved.config,
            stateDirectory: resolved.stateDirectory,
            executable: ExecutablePath.current(),
            version: HomeportCommand.version,
            builtins: Builtins.all,
            childUmask: UInt32(startingUmask),
            reloadConfig: { try resolved.reload() })
        let daemon = HomeportDaemon(settings: settings, history: history, logger: logger)
        let group = ServiceGroup(services: [daemon], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        do {
            try await group.run()
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
        withExtendedLifetime(lock) {}
    }
}
