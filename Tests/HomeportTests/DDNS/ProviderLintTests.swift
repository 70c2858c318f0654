@testable import DDNS
import Foundation
import Testing

@Suite("DDNS provider file lint")
struct ProviderLintTests {
    /// Loads one provider file written to a temporary directory (with the shipped templates).
    private func lint(_ text: String, name: String = "example") -> [ProviderLintError] {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        _ = directory.write("\(name).toml", text)
        let catalog = ProviderCatalog.load(directories: [DDNSTestPaths.providers, directory.path])
        return catalog.errors.filter { $0.file.hasPrefix(directory.path) }
            .map { ProviderLintError(file: ($0.file as NSString).lastPathComponent, line: $0.line, field: $0.field, message: $0.message, fix: $0.fix) }
    }

    private let valid = """
    display_name = "Example"
    documentation = "https://example.com/docs"
    families = ["ipv4"]
    base_url = "https://api.example.com"

    [settings.token]
    required = true
    description = "API token"

    [[step]]
    name = "update"
    path = "/update"
    query = { host = "{hostname}", ip = "{ip}", token = "{setting.token}" }

    [[step.rule]]
    body_prefix = "ok"
    outcome = "updated"
    """

    @Test("a valid file has no problems")
    func validFile() {
        #expect(lint(valid) == [])
    }

    @Test("a missing field names file, line, field and fix")
    func missingField() throws {
        let errors = lint(valid.replacingOccurrences(of: "display_name = \"Example\"\n", with: ""))
        let error = try #require(errors.first)
        #expect(errors.count == 1)
        #expect(error.description == "example.toml:1: display_name: is missing; fix: add display_name = \"Provider Name\" at the top of the file")
    }

    @Test("an unknown placeholder points at its line and suggests the right name")
    func unknownPlaceholder() throws {
        let errors = lint(valid.replacingOccurrences(of: "host = \"{hostname}\"", with: "host = \"{hostnme}\""))
        let error = try #require(errors.first)
        #expect(errors.count == 1)
        #expect(error.line == 13)
        #expect(error.field == "step \"update\".query.host")
        #expect(error.message == "unknown placeholder {hostnme}")
        #expect(error.fix.hasPrefix("did you mean {hostname}?"))
    }

    @Test("an undeclared setting placeholder says to declare it")
    func undeclaredSetting() throws {
        let errors = lint(valid.replacingOccurrences(of: "{setting.token}", with: "{setting.apikey}"))
        let error = try #require(errors.first)
        #expect(error.line == 13)
        #expect(error.fix.contains("declare [settings.apikey]"))
    }

    @Test("an invalid base URL is reported at its line")
    func invalidURL() throws {
        let errors = lint(valid.replacingOccurrences(of: "https://api.example.com", with: "api example com"))
        let error = try #require(errors.first)
        #expect(errors.count == 1)
        #expect(error.description.hasPrefix("example.toml:4: base_url: \"api example com\" is not a valid base URL; fix: write scheme and host"))
    }

    @Test("an unknown outcome is reported at the rule's line with a suggestion")
    func unknownOutcome() throws {
        let errors = lint(valid.replacingOccurrences(of: "outcome = \"updated\"", with: "outcome = \"updatd\""))
        let error = try #require(errors.first)
        #expect(errors.count == 1)
        #expect(error.line == 17)
        #expect(error.field == "step \"update\".rule[0].outcome")
        #expect(error.fix.hasPrefix("did you mean \"updated\"?"))
    }

    @Test("unknown keys, jumps to missing steps and a body on GET are errors")
    func structuralErrors() {
        let text = valid
            .replacingOccurrences(of: "path = \"/update\"", with: "path = \"/update\"\nform = { a = \"b\" }\nmethd = \"POST\"")
            .replacingOccurrences(of: "outcome = \"updated\"", with: "then = \"nowhere\"")
        let fields = lint(text).map(\.field)
        #expect(fields.contains("step \"update\".methd"))
        #expect(fields.contains("step \"update\".rule[0].then"))
        #expect(fields.contains("step \"update\".form"))
    }

    @Test("a TOML syntax error gives its line")
    func syntaxError() throws {
        let errors = lint(valid + "\nbroken = \n")
        let error = try #require(errors.first)
        #expect(error.field == "syntax")
        #expect(error.line == 18)
    }

    @Test("based_on a missing template lists the templates")
    func missingTemplate() throws {
        let errors = lint("display_name = \"X\"\ndocumentation = \"https://x.example\"\nbased_on = \"nosuch\"\n")
        let error = try #require(errors.first)
        #expect(error.line == 3)
        #expect(error.fix.contains("_dyndns2"))
    }

    @Test("a user's provider directory adds providers and overrides shipped ones by name")
    func userDirectoryOverrides() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        _ = directory.write("duckdns.toml", valid.replacingOccurrences(of: "Example", with: "My DuckDNS"))
        _ = directory.write("mine.toml", "display_name = \"Mine\"\ndocumentation = \"https://x.example\"\nbased_on = \"_dyndns2\"\nbase_url = \"https://dyn.x.example\"\n")
        let catalog = ProviderCatalog.load(ProviderSearchOrder.standard(configDirectory: nil, environment: [:]) + [.directory(directory.path)])
        #expect(catalog.errors == [])
        #expect(catalog.provider("duckdns")?.displayName == "My DuckDNS")
        #expect(catalog.origins["duckdns"] == .file(directory.file("duckdns.toml")))
        #expect(catalog.replaced["duckdns"] == .builtIn)
        #expect(catalog.provider("mine")?.basedOn == "_dyndns2", "a user file builds on a built-in template")
        #expect(catalog.provider("cloudflare") != nil)
        #expect(catalog.origins["cloudflare"] == .builtIn)
        #expect(ProviderSearchOrder.standard(configDirectory: "/etc/homeport", environment: [:]) == [.builtIn, .directory("/etc/homeport/providers")])
        #expect(ProviderSearchOrder.standard(configDirectory: "/etc/homeport", environment: ["HOMEPORT_PROVIDERS_DIR": "/opt/p"])
            == [.directory("/opt/p"), .directory("/etc/homeport/providers")])
    }

    @Test("a file name that differs from name = is refused")
    func nameMismatch() {
        #expect(lint("name = \"other\"\n" + valid).map(\.field) == ["name"])
    }
}
