import ArgumentParser
import Daemon
import Config

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
        let problems = DDNSUpdater.configurationProblems(config: resolved.config)
        for problem in problems { Terminal.error(problem) }
        if !problems.isEmpty { throw ExitCode(78) }
        if let path = resolved.config.sourcePath {
            print("\(path): OK")
        } else {
            print("No configuration file at \(resolved.defaultConfigPath); the built-in defaults apply.")
        }
        for warning in resolved.config.warnings { Terminal.warning(warning) }
        print("state directory: \(resolved.stateDirectory)")
        for line in ConfigSummary.lines(resolved.config) { print(line) }
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
