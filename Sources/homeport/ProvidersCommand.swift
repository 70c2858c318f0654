import ArgumentParser
import Config
import DDNS
import Foundation
import Paths
import Reports
import StatusModel

struct ProvidersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "providers",
        abstract: "The dynamic-DNS providers homeport can update, their settings, and a checker for new provider files.",
        discussion: "The providers shipped in the source tree's providers/ are built into homeport; files in <config dir>/providers add to them (a file with the same name replaces the built-in one). See providers/README.md for the format.",
        subcommands: [ProvidersListCommand.self, ProvidersShowCommand.self, ProvidersLintCommand.self],
        defaultSubcommand: ProvidersListCommand.self
    )

    static func catalog(_ locations: LocationOptions) -> (ProviderCatalog, [ProviderSet]) {
        let configPath = locations.config ?? ProcessEnvironment.value("HOMEPORT_CONFIG") ?? DefaultLocations.current().configFile
        let sets = ProviderSearchOrder.standard(configDirectory: (configPath as NSString).deletingLastPathComponent,
                                                environment: ProcessInfo.processInfo.environment)
        return (ProviderCatalog.load(sets), sets)
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
        /// "built-in", or the path of the user's file.
        var source: String
        /// The user's file; absent for a built-in provider.
        var file: String?

        enum CodingKeys: String, CodingKey {
            case name, families, kind, documentation, source, file
            case displayName = "display_name"
        }
    }

    func run() throws {
        let (catalog, _) = ProvidersCommand.catalog(locations)
        for error in catalog.errors { Terminal.warning("\(error)") }
        let rows = catalog.names.compactMap(catalog.provider).map { provider in
            let origin = catalog.origins[provider.name] ?? .builtIn
            var file: String?
            if case .file(let path) = origin { file = path }
            return Row(name: provider.name, displayName: provider.displayName, families: provider.families.map(\.rawValue), kind: provider.kind,
                       documentation: provider.documentation, source: origin.description, file: file)
        }
        if json {
            print(try StatusJSON.text(rows))
            return
        }
        var table = TextTable(headers: ["PROVIDER", "NAME", "FAMILIES", "DOCUMENTATION"])
        for row in rows {
            table.add([row.name, row.displayName, row.families.joined(separator: ", "), Self.shortLink(row.documentation)])
        }
        print(table.render())
        print(WordWrap.fit("\(rows.count) providers, from \(catalog.searchedDescription)."))
        for row in rows {
            guard let file = row.file else { continue }
            print(WordWrap.fit("\(row.name): from \(file)" + (catalog.replaced[row.name].map { ", replacing the \($0 == .builtIn ? "built-in one" : "one in \($0)")" } ?? "")))
        }
        print(WordWrap.fit("`homeport providers show NAME` prints one provider's settings, its full documentation link and an example."))
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
            for error in catalog.errors where (error.file as NSString).lastPathComponent == "\(name).toml" { Terminal.error("\(error)") }
            Terminal.error(catalog.unknownProviderMessage(name))
            throw ExitCode.failure
        }
        print("\(provider.displayName) (\(provider.name))")
        print("Documentation: \(provider.documentation)")
        print("Families: \(provider.families.map(\.rawValue).joined(separator: ", "))")
        if let minimum = provider.minInterval { print("At most one update every \(DurationText.format(minimum)).") }
        if let refresh = provider.refreshInterval { print("Refreshed every \(DurationText.format(refresh)) even without a change (the provider expires idle hosts).") }
        switch catalog.origins[provider.name] ?? .builtIn {
        case .builtIn: print("Source: built in (providers/\(provider.name).toml in homeport's source)")
        case .file(let path): print("Source: \(path)" + (catalog.replaced[provider.name] == .builtIn ? " (replacing the built-in definition)" : ""))
        }
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
        let (catalog, sets) = ProvidersCommand.catalog(locations)
        var problems: [ProviderLintError]
        if files.isEmpty {
            problems = catalog.errors
        } else {
            problems = files.flatMap { ProviderFileCheck.problems(file: $0, templateSets: sets) }
        }
        for problem in problems { print(problem.description) }
        if problems.isEmpty {
            print(files.isEmpty ? "\(catalog.names.count) provider files are fine." : "\(files.count) file(s) fine.")
        } else {
            throw ExitCode.failure
        }
    }
}
