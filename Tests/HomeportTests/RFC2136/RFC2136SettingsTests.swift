import Config
import Foundation
import Testing

/// The RFC 2136 entry's settings as the config and `providers show` present them: a TSIG key's
/// name and algorithm (RFC 8945 section 4.2) are public labels, only its secret is a secret.
@Suite struct RFC2136SettingsTests {
    @Test func keyNameAndAlgorithmAreNotSecrets() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.write("homeport.toml", """
            [[ddns]]
            provider = "rfc2136"
            hostnames = ["home.example.com"]
            server = "127.0.0.1"
            zone = "example.com"
            key_name = "homeport-key"
            key_algorithm = "hmac-sha256"
            key_secret = "env:HP_TSIG_SECRET"
            """, mode: 0o644)
        let config = try ConfigLoader.load(path: path)
        #expect(!config.warnings.contains { $0.contains("inline secrets") }, "\(config.warnings)")
        let settings = try #require(config.ddns.first?.settings)
        #expect(settings["key_name"] == .plain("homeport-key"))
        #expect(settings["key_algorithm"] == .plain("hmac-sha256"))
        guard case .secret = settings["key_secret"] else {
            Issue.record("key_secret is not a secret: \(String(describing: settings["key_secret"]))")
            return
        }
    }

    @Test func providersShowListsServerOnceAndExamplesTheKey() async throws {
        let output = try await Homeport.run(["providers", "show", "rfc2136"])
        #expect(output.exitCode == 0, "\(output.stderr)")
        let table = output.stdout.components(separatedBy: "Example:").first ?? ""
        let serverRows = table.split(separator: "\n").filter { $0.hasPrefix("server ") }
        #expect(serverRows.count == 1, "\(output.stdout)")
        let example = output.stdout.components(separatedBy: "Example:").last ?? ""
        for key in ["server = ", "zone = ", "key_name = ", "key_algorithm = ", "key_secret = "] {
            #expect(example.contains(key), "the example lacks \(key): \(example)")
        }
    }
}
