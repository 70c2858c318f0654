import ArgumentParser
import Config
import DDNS
import Foundation
import Paths
import Reports

struct ProvidersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "providers",
        abstract: "The dynamic-DNS providers homeport can update, their settings, and a checker for new provider files.",
        discussion: "Providers are files in providers/ (shipped) and <config dir>/providers (yours; a file with the same name replaces the shipped one). See providers/README.md for the format.",
        subcommands: [ProvidersListCommand.self, ProvidersShowCommand.self, ProvidersLintCommand.self],
        defaultSubcommand: ProvidersListCommand.self
    )

    static func catalog(_ locations: LocationOptions) -> (ProviderCatalog, [String]) {
        let configPath = locations.config ?? ProcessEnvironment.value("HOMEPORT_CONFIG") ?? DefaultLocations.current().configFile
        let directories = ProviderDirectories.standard(configDirectory: (configPath as NSString).deletingLastPathComponent)
        return (ProviderCatalog.load(directories: directories), directories)
    }
}

struct ProvidersListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Every provider, with the address families it takes.")

    @OptionGroup var locations: LocationOptions

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    struct Row: Codable {
        var name: String
        var displayName: String
        var families: [String]
        var kind: String
        var documentation: String
        var file: String

        enum CodingKeys: String, CodingKey {
            case name, families, kind, documentation, file
            case displayName = "display_name"
        }
    }

    func run() throws {
        let (catalog, _) = ProvidersCommand.catalog(locations)
        for error in catalog.errors { Terminal.warning("\(error)") }
        let rows = catalog.names.compactMap(catalog.provider).map {
            Row(name: $0.name, displayName: $0.displayName, families: $0.families.map(\.rawValue), kind: $0.kind,
                documentation: $0.documentation, file: $0.file)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
            return
        }
        var table = TextTable(headers: ["PROVIDER", "NAME", "FAMILIES", "DOCUMENTATION"])
        for row in rows {
            table.add([row.name, row.displayName, row.families.joined(separator: ", "), Self.shortLink(row.documentation)])
        }
        print(table.render())
        print(WordWrap.fit("\(rows.count) providers. `homeport providers show NAME` prints one provider's settings, its full documentation link and an example."))
    }

    /// A documentation link short enough for the table: without the scheme, and cut after a
    /// path segment with "…" when long (the full link is in `providers show` and `--json`).
    static func shortLink(_ link: String, width: Int = 32) -> String {
        var text = Substring(link)
        for scheme in ["https://", "http://"] where text.hasPrefix(scheme) { text = text.dropFirst(scheme.count) }
        if text.hasSuffix("/") { text = text.dropLast() }
        guard text.count > width else { return String(text) }
        let cut = text.prefix(width - 1)
        let segment = cut.lastIndex(of: "/").map { cut[...$0] } ?? cut
        return String(segment) + "…"
    }
}

struct ProvidersShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One provider's settings, documentation link and an example [[ddns]] block.")

    @OptionGroup var locations: LocationOptions

    @Argument(help: "The provider's name, as `homeport providers list` prints it.")
    var name: String

    func run() throws {
        let (catalog, _) = ProvidersCommand.catalog(locations)
        guard let provider = catalog.provider(name) else {
            var message = "no provider named '\(name)'"
            if let guess = catalog.names.min(by: { editDistance($0, name) < editDistance($1, name) }), editDistance(guess, name) <= 3 {
                message += " (did you mean '\(guess)'?)"
            }
            Terminal.error(message + "; `homeport providers list` shows them all")
            throw ExitCode.failure
        }
        print("\(provider.displayName) (\(provider.name))")
        print("Documentation: \(provider.documentation)")
        print("Families: \(provider.families.map(\.rawValue).joined(separator: ", "))")
        if let minimum = provider.minInterval { print("At most one update every \(DurationText.format(minimum)).") }
        if let refresh = provider.refreshInterval { print("Refreshed every \(DurationText.format(refresh)) even without a change (the provider expires idle hosts).") }
        print("File: \(provider.file)")
        print("")
        var table = TextTable(headers: ["SETTING", "REQUIRED", "SECRET", "DEFAULT", "DESCRIPTION"])
        for setting in provider.settings {
            table.add([setting.name, setting.required ? "yes" : "no", setting.secret ? "yes" : "no", setting.defaultValue ?? "-", setting.description])
        }
        // A provider with its own `server` setting (RFC 2136: the DNS server) has no base URL to override.
        if !provider.settings.contains(where: { $0.name == "server" }) {
            table.add(["server", "no", "no", provider.baseURL ?? "-", "Base URL override (a self-hosted compatible server, or a test server)"])
        }
        print(table.render())
        print("")
        print("Example:")
        print("[[ddns]]")
        print("provider = \"\(provider.name)\"")
        print("hostnames = [\"home.example.com\"]")
        print("ipv4 = \(provider.families.contains(.ipv4))")
        print("ipv6 = \(provider.families.contains(.ipv6) && !provider.families.contains(.ipv4))")
        for setting in provider.settings where setting.required || setting.example != nil {
            let upper = setting.name.uppercased()
            let value = setting.secret ? "env:\(provider.name.uppercased().replacingOccurrences(of: "-", with: "_"))_\(upper)" : (setting.example ?? setting.defaultValue ?? "…")
            print("\(setting.name) = \"\(value)\"" + (setting.secret ? "   # or \"file:/etc/homeport/\(setting.name)\", or inline" : ""))
        }
    }

    private func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.lowercased()), b = Array(b.lowercased())
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let old = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = old
            }
        }
        return row[b.count]
    }
}

struct ProvidersLintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check provider files you are writing: every problem with file, line, field and the fix.",
        discussion: "Without files, checks every provider homeport would load."
    )

    @OptionGroup var locations: LocationOptions

    @Argument(help: "Provider files (providers/<name>.toml).")
    var files: [String] = []

    func run() throws {
        let (catalog, directories) = ProvidersCommand.catalog(locations)
        var problems: [ProviderLintError]
        if files.isEmpty {
            problems = catalog.errors
        } else {
            problems = files.flatMap { ProviderFileCheck.problems(file: $0, templateDirectories: directories) }
        }
        for problem in problems { print(problem.description) }
        if problems.isEmpty {
            print(files.isEmpty ? "\(catalog.names.count) provider files are fine." : "\(files.count) file(s) fine.")
        } else {
            throw ExitCode.failure
        }
    }
}
