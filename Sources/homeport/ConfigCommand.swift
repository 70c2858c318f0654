import ArgumentParser
import Config
import DDNS
import Daemon
import Paths
import Supervisor

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

    /// One line of the report: where, what, and whether it fails the check.
    struct Finding {
        var line: Int?
        var text: String
        var isError: Bool
    }

    func run() throws {
        // Every problem in the file is reported, the file's own first (when it loads only in
        // part, the rest is still checked), then what this machine says about the entries.
        var findings: [Finding] = []
        let config: HomeportConfig
        let resolved: ResolvedLocations?
        do {
            resolved = try locations.resolve()
            config = resolved?.config ?? HomeportConfig()
        } catch {
            findings += error.all.map { Finding(line: $0.line, text: $0.description, isError: true) }
            guard let partial = error.partial else {
                for finding in findings { Terminal.error(finding.text) }
                throw ExitCode(78)
            }
            resolved = nil
            config = partial
        }
        let ddns = DDNSUpdater.check(config: config, version: HomeportCommand.version)
        for problem in ddns.problems {
            // A secret that does not resolve here may in the daemon's environment (systemd's
            // EnvironmentFile, a root-only file): a warning, not a failed check.
            let isError = problem.kind != .secret
            let note = isError ? "" : "; checked in this shell as this user: the daemon's environment and user may differ, and the daemon needs the secret there"
            findings.append(Finding(line: problem.line, text: Self.place(problem, config: config) + problem.message + note, isError: isError))
        }
        for service in config.services {
            guard let problem = ProgramLookup.problem(command: service.command, workingDirectory: service.workingDirectory,
                                                      environment: ProcessEnvironment.all().merging(service.environment) { $1 }) else { continue }
            let place = (config.sourcePath ?? "config") + (service.line.map { ":\($0)" } ?? "") + ": [[service]] \(service.name): 'command': "
            let note = problem.dependsOnUser ? "; checked as this user: the daemon's user may differ" : ""
            findings.append(Finding(line: service.line, text: place + problem.description + note, isError: !problem.dependsOnUser))
        }
        findings = findings.enumerated().sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }.map(\.element)
        for finding in findings where finding.isError { Terminal.error(finding.text) }
        for warning in config.warnings { Terminal.warning(warning) }
        for finding in findings where !finding.isError { Terminal.warning(finding.text) }
        for error in ddns.unusedProviderFileErrors { Terminal.warning(error) }
        guard let resolved, !findings.contains(where: \.isError) else { throw ExitCode(78) }
        if let path = resolved.config.sourcePath {
            print("\(path): OK")
        } else {
            print("No configuration file at \(resolved.defaultConfigPath); the built-in defaults apply.")
        }
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
