import ArgumentParser
import Config
import Paths
import ServiceFiles

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct ServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service",
        abstract: "Run homeport at boot: print, install or remove the systemd unit (Linux) or launchd job (macOS).",
        subcommands: [PrintServiceCommand.self, InstallServiceCommand.self, UninstallServiceCommand.self]
    )
}

extension ServiceFileKind: ExpressibleByArgument {}

struct ServiceFileOptions: ParsableArguments {
    @OptionGroup var locations: LocationOptions

    @Option(name: .long, help: "systemd or launchd (default: this OS's).")
    var kind: ServiceFileKind = .current

    @Option(name: .long, help: ArgumentHelp("Where to put the file (default: /etc/systemd/system, /Library/LaunchDaemons as root or ~/Library/LaunchAgents).", valueName: "dir"))
    var directory: String?

    @Option(name: .long, help: ArgumentHelp("Binary path to write into the file (default: this binary), for packagers.", valueName: "path"))
    var binary: String?

    var isRoot: Bool { geteuid() == 0 }

    /// Paths as the service will see them: this binary, the state directory, and the config
    /// file only when one was named, so that a missing default file still means "defaults".
    func parameters() throws -> ServiceFileParameters {
        let resolved: ResolvedLocations
        do {
            resolved = try locations.resolve()
        } catch {
            Terminal.error("\(error)")
            throw ExitCode(78)
        }
        let home = ProcessEnvironment.value("HOME") ?? "/"
        let logs = isRoot ? "/Library/Logs/homeport" : join(home, "Library/Logs/homeport")
        let config = resolved.config
        // The rendezvous server binds P-1, P and P+2; the relay P and P+2 (WebSocket).
        let lowestPort = [config.rendezvous.enabled ? config.rendezvous.port - 1 : nil, config.relay.enabled ? config.relay.port : nil]
            .compactMap { $0 }.min() ?? 1024
        return ServiceFileParameters(
            binary: binary ?? ExecutablePath.current(),
            configFile: resolved.explicitConfigPath,
            stateDirectory: resolved.stateDirectory,
            logDirectory: logs,
            user: DefaultLocations.serviceAccount,
            bindsPrivilegedPorts: lowestPort < 1024)
    }

    /// Why the service could not run this binary, when `--binary` was not given: a build output
    /// is replaced by the next build, and a file under /tmp is hidden by `PrivateTmp=`.
    func binaryProblem(_ parameters: ServiceFileParameters) -> String? {
        guard binary == nil else { return nil }
        return ServiceBinaryCheck.problem(binary: parameters.binary, kind: kind)
    }

    var targetDirectory: String {
        if let directory { return directory }
        switch kind {
        case .systemd: return SystemdUnit.defaultDirectory
        case .launchd: return LaunchdPlist.defaultDirectory(isRoot: isRoot, home: ProcessEnvironment.value("HOME") ?? "/")
        }
    }
}

struct PrintServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "print",
        abstract: "Print the service file for this machine, with the real binary and config paths."
    )

    @OptionGroup var options: ServiceFileOptions

    func run() throws {
        let parameters = try options.parameters()
        if let problem = options.binaryProblem(parameters) { Terminal.warning(problem) }
        switch options.kind {
        case .systemd: print(SystemdUnit.render(parameters), terminator: "")
        case .launchd: print(LaunchdPlist.render(parameters), terminator: "")
        }
    }
}

struct InstallServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Write the service file and print the command that starts it.",
        discussion: """
        On Linux this needs root (sudo homeport service install). The service runs as the system user homeport, which this command creates when it is missing, with state in /var/lib/homeport (or the state directory you name, which it creates and gives to that user). Install the binary first (`sudo ./homeport install`): the service file points at this binary, and one inside a build directory or under /tmp is refused.

        With --directory (writing into a staging tree for a package), nothing else on this machine is changed.
        """
    )

    @OptionGroup var options: ServiceFileOptions

    func run() async throws {
        let parameters = try options.parameters()
        if let problem = options.binaryProblem(parameters) {
            Terminal.error(problem)
            throw ExitCode.failure
        }
        do {
            if options.kind == .systemd, options.isRoot, options.directory == nil {
                let configFile = parameters.configFile ?? DefaultLocations.current().configFile
                for note in try await ServiceAccountSetup.prepare(parameters, configFile: configFile) { print(note) }
            }
            let result = try ServiceInstaller.install(kind: options.kind, parameters: parameters, directory: options.targetDirectory, isRoot: options.isRoot)
            print("Installed \(result.path).")
            print("Next, start it now and at every boot with:\n  \(result.nextCommand)")
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
    }
}

struct UninstallServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Remove the service file and print the command that stops the service.",
        discussion: "The history and configuration are kept."
    )

    @OptionGroup var options: ServiceFileOptions

    func run() throws {
        do {
            let result = try ServiceInstaller.uninstall(kind: options.kind, directory: options.targetDirectory, isRoot: options.isRoot)
            print("Removed \(result.path).")
            print("Next, stop the running service with:\n  \(result.nextCommand)")
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
    }
}
