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
        return ServiceFileParameters(
            binary: binary ?? ExecutablePath.current(),
            configFile: resolved.explicitConfigPath,
            stateDirectory: resolved.stateDirectory,
            logDirectory: logs)
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
        switch options.kind {
        case .systemd: print(SystemdUnit.render(parameters), terminator: "")
        case .launchd: print(LaunchdPlist.render(parameters), terminator: "")
        }
    }
}

struct InstallServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Write the service file and print the command that starts it.",
        discussion: "On Linux this needs root (sudo homeport service install); the service then runs as root with state in /var/lib/homeport."
    )

    @OptionGroup var options: ServiceFileOptions

    func run() throws {
        let parameters = try options.parameters()
        do {
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
