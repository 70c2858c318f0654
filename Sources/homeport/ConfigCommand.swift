import ArgumentParser
import Config
import DDNS
import Daemon

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a configuration file, or print an annotated example.",
        subcommands: [CheckConfigCommand.self, ExampleConfigCommand.self]
    )
}

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the configuration and print the settings in effect.",
        discussion: "Errors name the file, the line and the valid choices. Secrets are never printed."
    )

    @OptionGroup var locations: LocationOptions

    func run() throws {
        let resolved: ResolvedLocations
        do {
            resolved = try locations.resolve()
        } catch {
            Terminal.error("\(error)")
            throw ExitCode(78)
        }
        let config = resolved.config
        let ddns = DDNSUpdater.check(config: config, version: HomeportCommand.version)
        // A secret that does not resolve here may in the daemon's environment (systemd's
        // EnvironmentFile, a root-only file): a warning, not a failed check.
        let errors = ddns.problems.filter { $0.kind != .secret }
        for problem in errors { Terminal.error(Self.place(problem, config: config) + problem.message) }
        if !errors.isEmpty { throw ExitCode(78) }
        if let path = resolved.config.sourcePath {
            print("\(path): OK")
        } else {
            print("No configuration file at \(resolved.defaultConfigPath); the built-in defaults apply.")
        }
        for warning in resolved.config.warnings { Terminal.warning(warning) }
        for problem in ddns.problems where problem.kind == .secret {
            Terminal.warning(Self.place(problem, config: config) + problem.message + " (the daemon needs it in its own environment)")
        }
        for error in ddns.unusedProviderFileErrors { Terminal.warning(error) }
        print("state directory: \(resolved.stateDirectory)")
        for line in ConfigSummary.lines(resolved.config) { print(line) }
        for target in ddns.targets { print("ddns record: \(target)") }
    }

    /// `homeport.toml:12: [[ddns]] #2 home.example.net: `, the way config errors name their place.
    static func place(_ problem: DDNSRoundPlanner.Problem, config: HomeportConfig) -> String {
        (config.sourcePath ?? "config") + (problem.line.map { ":\($0)" } ?? "") + ": [[ddns]] #\(problem.entry + 1)"
            + (problem.hostname.map { " \($0)" } ?? "") + ": "
    }
}

struct ExampleConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example",
        abstract: "Print an annotated homeport.toml with every setting and its default.",
        discussion: "Start a configuration with: homeport config example > homeport.toml"
    )

    func run() {
        print(ExampleConfig.text, terminator: "")
    }
}
