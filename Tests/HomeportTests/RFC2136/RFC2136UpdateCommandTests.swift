import Foundation
import Testing

/// `homeport update` with `provider = "rfc2136"` against a real named: the provider file, the
/// adapter, the policy and the DNS confirmation (`verify` names the test's server) together.
@Suite(.serialized, .enabled(if: NamedServer.available, Comment(rawValue: ToolRequirement.named.skipMessage)))
struct RFC2136UpdateCommandTests {
    func config(_ dir: TemporaryDirectory, named: NamedServer, secret: String) -> String {
        _ = dir.write("tsig.secret", secret + "\n")
        return dir.write("homeport.toml", """
            [daemon]
            state_dir = "\(dir.file("state"))"
            [ip]
            enabled = false
            [router]
            enabled = false
            [[ddns]]
            provider = "rfc2136"
            hostnames = ["pc.home.test"]
            ipv6 = true
            server = "127.0.0.1"
            port = \(named.port)
            zone = "home.test"
            key_name = "\(NamedServer.keyName)"
            key_secret = "file:\(dir.file("tsig.secret"))"
            verify = "127.0.0.1:\(named.port)"
            """)
    }

    func outcomes(_ output: Homeport.Output) throws -> [String: String] {
        let reports = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: reports.compactMap { report in
            (report["family"] as? String).map { ($0, (report["outcome"] as? String ?? "") + ((report["dns_confirmed"] as? Bool) == true ? "+dns" : "")) }
        })
    }

    @Test func updatesBothFamiliesAndConfirmsThemInDNS() async throws {
        try await NamedServer.with { named in
            let dir = TemporaryDirectory()
            defer { dir.remove() }
            let path = config(dir, named: named, secret: named.secret)
            let output = try await Homeport.run(["update", "--config", path, "--json", "--ip4", "198.51.100.21", "--ip6", "2001:db8::21"])
            #expect(output.exitCode == 0, "\(output.stdout)\(output.stderr)")
            #expect(try outcomes(output) == ["ipv4": "updated+dns", "ipv6": "updated+dns"], "\(output.stdout)")
            #expect(try await named.dig("pc.home.test", "A") == ["198.51.100.21"])
            #expect(try await named.dig("pc.home.test", "AAAA") == ["2001:db8::21"])
            #expect(!output.stdout.contains(named.secret) && !output.stderr.contains(named.secret))
        }
    }

    @Test func aWrongKeyIsRefusedReportedAndChangesNothing() async throws {
        try await NamedServer.with { named in
            let dir = TemporaryDirectory()
            defer { dir.remove() }
            let wrong = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            let path = config(dir, named: named, secret: wrong)
            let output = try await Homeport.run(["update", "--config", path, "--json", "--ip4", "198.51.100.22"])
            #expect(output.exitCode == 1)
            #expect(try outcomes(output) == ["ipv4": "auth_error"], "\(output.stdout)")
            #expect(output.stdout.contains("BADSIG"), "\(output.stdout)")
            #expect(try await named.dig("pc.home.test", "A").isEmpty)
            let database = FileManager.default.contents(atPath: dir.file("state/history.sqlite3")) ?? Data()
            #expect(database.range(of: Data(wrong.utf8)) == nil)
        }
    }
}
