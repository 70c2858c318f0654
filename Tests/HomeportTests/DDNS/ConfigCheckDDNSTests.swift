import Config
import Daemon
import Foundation
import History
import Testing

/// `homeport config check` judges the `[[ddns]]` entries with the daemon's own planner: what it
/// lets pass, the daemon can plan; what the daemon reports at start, it reports first.
@Suite struct ConfigCheckDDNSTests {
    /// A config of one `[[ddns]]` entry (its lines after the header, which is on line 4).
    struct Checked {
        let dir = TemporaryDirectory()
        let config: String

        init(entry: String) {
            config = dir.write("homeport.toml", "[daemon]\nstate_dir = \"\(dir.file("state"))\"\n\n[[ddns]]\n\(entry)\n")
        }

        func check(environment: [String: String] = [:]) async throws -> Homeport.Output {
            try await Homeport.run(["config", "check", "--config", config], environment: environment)
        }
    }

    @Test func aMistypedProviderSettingIsNamedWithItsLine() async throws {
        let checked = Checked(entry: "provider = \"duckdns\"\nhostnames = [\"a.duckdns.org\"]\ntokn = \"x\"")
        defer { checked.dir.remove() }
        let output = try await checked.check()
        #expect(output.exitCode == 78)
        #expect(output.stderr.contains("\(checked.config):4: [[ddns]] #1: unknown setting 'tokn' for provider duckdns (did you mean 'token'?)"),
                "\(output.stderr)")
        #expect(!output.stdout.contains(": OK"))
    }

    /// Namecheap takes only A records. The daemon says so at every start and never updates the
    /// AAAA record; the check used to answer "OK" because it did not look at families.
    @Test func aFamilyTheProviderDoesNotTakeFailsTheCheckAsTheDaemonReportsIt() async throws {
        let checked = Checked(entry: """
            provider = "namecheap"
            hostnames = ["home.example.com"]
            zone = "example.com"
            password = "hp-check-test-password"
            ipv6 = true
            """)
        defer { checked.dir.remove() }
        let output = try await checked.check()
        #expect(output.exitCode == 78, "\(output.stdout)\(output.stderr)")
        #expect(output.stderr.contains("\(checked.config):4: [[ddns]] #1 home.example.com: Namecheap does not take ipv6 records; set ipv6 = false"),
                "\(output.stderr)")
        #expect(!output.stdout.contains(": OK"))
        #expect(!output.stdout.contains("hp-check-test-password") && !output.stderr.contains("hp-check-test-password"))

        // Every problem the daemon logs at start for this config ("[[ddns]] namecheap
        // home.example.com: ...") is one the check printed.
        let loaded = try ConfigLoader.load(path: checked.config)
        let history = try HistoryStore(path: checked.dir.file("history.sqlite3"))
        let daemonProblems = DDNSUpdater(config: loaded, history: history, stateDirectory: checked.dir.file("state"), version: "test")
            .problems(config: loaded)
        #expect(!daemonProblems.isEmpty)
        for line in daemonProblems {
            let message = line.split(separator: ": ", maxSplits: 1).last.map(String.init) ?? line
            #expect(output.stderr.contains(message), "\(line)")
        }
    }

    /// The records the daemon will keep up to date are listed; a secret this shell cannot read
    /// is a warning (the daemon's environment may have it), not a failed check.
    @Test func theCheckListsTheDaemonsRecordsAndWarnsAboutSecretsItCannotRead() async throws {
        let checked = Checked(entry: """
            provider = "duckdns"
            hostnames = ["a.duckdns.org", "b.duckdns.org"]
            token = "env:HP_CHECK_TEST_UNSET_TOKEN"
            ipv6 = true
            """)
        defer { checked.dir.remove() }
        let output = try await checked.check()
        #expect(output.exitCode == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.contains("\(checked.config): OK"))
        #expect(output.stderr.contains("[[ddns]] #1: ") && output.stderr.contains("HP_CHECK_TEST_UNSET_TOKEN")
                && output.stderr.contains("the daemon's environment and user may differ"), "\(output.stderr)")

        let withToken = try await checked.check(environment: ["HP_CHECK_TEST_UNSET_TOKEN": "x"])
        #expect(withToken.exitCode == 0 && !withToken.stderr.contains("HP_CHECK_TEST_UNSET_TOKEN"), "\(withToken.stderr)")
        for record in ["duckdns a.duckdns.org A", "duckdns a.duckdns.org AAAA", "duckdns b.duckdns.org A", "duckdns b.duckdns.org AAAA"] {
            #expect(withToken.stdout.contains("ddns record: \(record)\n"), "\(withToken.stdout)")
        }
    }
}
