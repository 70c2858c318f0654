import Daemon
import Foundation
import GRDB
import History
import StatusModel
import Testing

/// `homeport update` end to end: the real binary, the real history file, a local server
/// playing Duck DNS. The token is a secret from the environment and must never reach the
/// output or the database.
@Suite(.serialized) struct DDNSUpdateCommandTests {
    static let token = "hp-test-secret-7f3a9c21-duck"

    struct Setup {
        let dir = TemporaryDirectory()
        let server: ReplayHTTPServer
        let config: String

        /// `serverURL`: where the provider is, instead of the local server (a name that cannot resolve).
        init(extra: String = "", serverURL: String? = nil) async throws {
            server = try await ReplayHTTPServer()
            config = dir.write("homeport.toml", """
                [daemon]
                state_dir = "\(dir.file("state"))"
                [ip]
                enabled = false
                [router]
                enabled = false
                [rendezvous]
                enabled = false
                [relay]
                enabled = false
                [[ddns]]
                provider = "duckdns"
                hostnames = ["myhome.duckdns.org"]
                token = "env:HP_TEST_DUCK_TOKEN"
                server = "\(serverURL ?? server.baseURL)"
                verify = "none"
                \(extra)
                """)
        }

        func update(_ arguments: [String]) async throws -> Homeport.Output {
            try await Homeport.run(["update", "--config", config, "--json"] + arguments, environment: ["HP_TEST_DUCK_TOKEN": DDNSUpdateCommandTests.token])
        }

        func outcomes(_ output: Homeport.Output) throws -> [String] {
            let reports = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]] ?? []
            return reports.compactMap { $0["outcome"] as? String }
        }

        /// Every byte the database holds, WAL included.
        func databaseBytes() -> Data {
            ["history.sqlite3", "history.sqlite3-wal"].reduce(into: Data()) { all, name in
                all += FileManager.default.contents(atPath: dir.file("state/\(name)")) ?? Data()
            }
        }
    }

    @Test func updatesOnlyOnChangeAndStopsOnBadAuthWithoutLeakingTheToken() async throws {
        let setup = try await Setup()
        defer { setup.dir.remove() }
        var outputs: [Homeport.Output] = []

        setup.server.script([.init(status: 200, body: "OK\n203.0.113.7\n\nUPDATED")])
        var output = try await setup.update(["--ip4", "203.0.113.7"])
        outputs.append(output)
        #expect(output.exitCode == 0, "\(output.stderr)")
        #expect(try setup.outcomes(output) == ["updated"])
        #expect(setup.server.requests.count == 1)
        #expect(setup.server.requests.first?.query["token"] == Self.token)
        #expect(setup.server.requests.first?.query["ip"] == "203.0.113.7")

        // Same address: the policy sends nothing, even on a second run.
        setup.server.script([])
        output = try await setup.update(["--ip4", "203.0.113.7"])
        outputs.append(output)
        #expect(try setup.outcomes(output) == ["skipped"])
        #expect(setup.server.requests.isEmpty)

        // A new address within the minimum interval waits for it...
        output = try await setup.update(["--ip4", "203.0.113.8"])
        outputs.append(output)
        #expect(try setup.outcomes(output) == ["skipped"])
        #expect(setup.server.requests.isEmpty)

        // ...unless forced; and the provider rejects the token while echoing it back.
        setup.server.script([.init(status: 200, body: "KO token=\(Self.token)")])
        output = try await setup.update(["--ip4", "203.0.113.8", "--force"])
        outputs.append(output)
        #expect(output.exitCode == 1)
        #expect(try setup.outcomes(output) == ["auth_error"])
        #expect(setup.server.requests.count == 1)

        // A stop code halts the record: no request on later rounds, not even with --force.
        setup.server.script([])
        for arguments in [["--ip4", "203.0.113.9"], ["--ip4", "203.0.113.9", "--force"]] {
            output = try await setup.update(arguments)
            outputs.append(output)
            #expect(try setup.outcomes(output) == ["skipped"], "\(output.stdout)")
        }
        #expect(setup.server.requests.isEmpty)

        let status = try await Homeport.run(["status", "--config", setup.config, "--json"])
        outputs.append(status)
        let decoded = try StatusJSON.decoder().decode(DaemonStatus.self, from: Data(status.stdout.utf8))
        let record = try #require(decoded.ddns?.first)
        #expect(record.hostname == "myhome.duckdns.org" && record.address == "203.0.113.7" && record.stopped)
        #expect(record.lastOutcome == .authError)

        for output in outputs {
            #expect(!output.stdout.contains(Self.token) && !output.stderr.contains(Self.token))
        }
        let database = setup.databaseBytes()
        #expect(!database.isEmpty)
        #expect(database.range(of: Data(Self.token.utf8)) == nil, "the token is in the history database")
        await setup.server.stop()
    }

    @Test func aChangedConfigurationLiftsTheStop() async throws {
        let setup = try await Setup()
        defer { setup.dir.remove() }
        setup.server.script([.init(status: 200, body: "KO")])
        _ = try await setup.update(["--ip4", "203.0.113.7"])
        #expect(setup.server.requests.count == 1)
        // The user fixes the token: a new configuration, so one new attempt is allowed.
        setup.server.script([.init(status: 200, body: "OK\n203.0.113.7\n\nUPDATED")])
        let fixed = try await Homeport.run(["update", "--config", setup.config, "--json", "--ip4", "203.0.113.7", "--force"],
                                           environment: ["HP_TEST_DUCK_TOKEN": "another-token-value"])
        #expect(try setup.outcomes(fixed) == ["updated"], "\(fixed.stdout)\(fixed.stderr)")
        #expect(setup.server.requests.first?.query["token"] == "another-token-value")
        await setup.server.stop()
    }

    @Test func anAddressGivenInAnotherSpellingIsSentAndRecordedInItsCanonicalForm() async throws {
        // `--ip6` used to be checked by one parser and passed on as text: the provider got
        // "2001:DB8:0:0::7" and ddns_updates kept that spelling, while ddns_records held 2001:db8::7.
        let setup = try await Setup(extra: "ipv4 = false\nipv6 = true")
        defer { setup.dir.remove() }
        setup.server.script([.init(status: 200, body: "OK\n\n2001:db8::7\nUPDATED")])
        let output = try await setup.update(["--ip6", "2001:DB8:0:0::7"])
        #expect(try setup.outcomes(output) == ["updated"], "\(output.stdout)\(output.stderr)")
        #expect(setup.server.requests.first?.query["ipv6"] == "2001:db8::7")
        let reports = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(reports.first?["address"] as? String == "2001:db8::7")
        // The columns themselves, read without the history's parser.
        let database = try DatabaseQueue(path: setup.dir.file("state/history.sqlite3"))
        let columns = try await database.read { db in
            (try String.fetchAll(db, sql: "SELECT address FROM ddns_updates"),
             try String.fetchAll(db, sql: "SELECT confirmed_address FROM ddns_records"))
        }
        #expect(columns.0 == ["2001:db8::7"])
        #expect(columns.1 == ["2001:db8::7"])
        await setup.server.stop()
    }

    @Test func dryRunSendsAndRecordsNothing() async throws {
        let setup = try await Setup()
        defer { setup.dir.remove() }
        setup.server.script([])
        let output = try await setup.update(["--ip4", "203.0.113.7", "--dry-run"])
        #expect(try setup.outcomes(output) == ["would_update"], "\(output.stdout)\(output.stderr)")
        #expect(setup.server.requests.isEmpty)
        let status = try await Homeport.run(["status", "--config", setup.config, "--json"])
        let decoded = try StatusJSON.decoder().decode(DaemonStatus.self, from: Data(status.stdout.utf8))
        #expect(decoded.ddns == nil)
        await setup.server.stop()
    }

    @Test func anUnknownProviderIsNamedWithASuggestion() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = dir.write("homeport.toml", """
            [daemon]
            state_dir = "\(dir.file("state"))"
            [[ddns]]
            provider = "duckdsn"
            hostnames = ["a.duckdns.org"]
            """)
        let output = try await Homeport.run(["update", "--config", config, "--ip4", "203.0.113.7"])
        #expect(output.exitCode == 1)
        #expect(output.stderr.contains("no provider named 'duckdsn' (did you mean 'duckdns'?)"), "\(output.stderr)")
    }
}

/// A provider file someone is writing, in `<config dir>/providers/`: `providers lint` and
/// `update` both name the file, the line and the fix.
@Suite struct ProviderFileErrorTests {
    @Test func aBadUserProviderFileFailsLintAndUpdateWithFileLineAndFix() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = dir.write("homeport.toml", """
            [daemon]
            state_dir = "\(dir.file("state"))"
            [ip]
            enabled = false
            [router]
            enabled = false
            [[ddns]]
            provider = "myhost"
            hostnames = ["a.example.com"]
            """)
        try FileManager.default.createDirectory(atPath: dir.file("providers"), withIntermediateDirectories: true)
        let file = dir.write("providers/myhost.toml", """
            display_name = "My host"
            documentation = "https://example.com/api"
            families = ["ipv4"]
            base_url = "https://api.example.com"

            [[step]]
            name = "update"
            path = "/update"
            query = { host = "{hostnme}", ip = "{ipv4}" }
            """)
        let lint = try await Homeport.run(["providers", "lint", "--config", config, file])
        #expect(lint.exitCode == 1)
        #expect(lint.stdout.contains("\(file):9:"), "\(lint.stdout)")
        #expect(lint.stdout.contains("hostnme") && lint.stdout.contains("fix:"), "\(lint.stdout)")

        let update = try await Homeport.run(["update", "--config", config, "--ip4", "203.0.113.7"])
        #expect(update.exitCode == 1)
        #expect(update.stderr.contains("the provider file for 'myhost' has errors: \(file):9:"), "\(update.stderr)")
    }
}
