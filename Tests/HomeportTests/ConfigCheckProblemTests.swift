import Foundation
import Testing

/// `homeport config check` on a real file, run as the real binary: what it used to let pass
/// with "OK" (missing secret files, unset secret variables, programs that do not exist or do not
/// run, ports the built-in servers already take), and every problem of a file in one run.
@Suite struct ConfigCheckProblemTests {
    /// A config whose first lines set the state directory (lines 1–3); `body` starts on line 4.
    struct Checked {
        let dir = TemporaryDirectory()
        let config: String

        init(_ body: (TemporaryDirectory) -> String) {
            config = dir.write("homeport.toml", "[daemon]\nstate_dir = \"\(dir.file("state"))\"\n\n" + body(dir))
        }

        func check(environment: [String: String] = [:]) async throws -> Homeport.Output {
            try await Homeport.run(["config", "check", "--config", config], environment: environment)
        }

        /// The lines of `text`, without the empty one after the last newline.
        static func lines(_ text: String) -> [String] {
            text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        }
    }

    @Test func aSecretFileThatDoesNotExistFailsTheCheck() async throws {
        let checked = Checked { dir in
            "[[ddns]]\nprovider = \"duckdns\"\nhostnames = [\"a.duckdns.org\"]\ntoken = \"file:\(dir.file("no-such-token"))\"\n"
        }
        defer { checked.dir.remove() }
        let output = try await checked.check()
        let missing = checked.dir.file("no-such-token")
        #expect(output.exitCode == 78, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.isEmpty, "\(output.stdout)")
        #expect(Checked.lines(output.stderr) == [
            "homeport: \(checked.config):4: [[ddns]] #1: 'token': secret file \(missing) does not exist (referenced as file:\(missing)); create it with the secret on its first line, or correct the path",
        ])
    }

    /// An unset variable may be set in the daemon's environment (systemd's EnvironmentFile), so
    /// it is a warning, one per variable, that names it and says so.
    @Test func everyUnsetSecretVariableIsAWarningThatNamesIt() async throws {
        let checked = Checked { _ in
            """
            [[ddns]]
            provider = "godaddy"
            hostnames = ["home.example.com"]
            zone = "example.com"
            key = "env:HP_CHECK_UNSET_KEY"
            secret = "env:HP_CHECK_UNSET_SECRET"

            """
        }
        defer { checked.dir.remove() }
        let output = try await checked.check()
        #expect(output.exitCode == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.hasPrefix("\(checked.config): OK\n"), "\(output.stdout)")
        let note = "; checked in this shell as this user: the daemon's environment and user may differ, and the daemon needs the secret there"
        #expect(Checked.lines(output.stderr) == [
            "homeport: warning: \(checked.config):4: [[ddns]] #1: 'key': environment variable HP_CHECK_UNSET_KEY is not set (referenced as env:HP_CHECK_UNSET_KEY)" + note,
            "homeport: warning: \(checked.config):4: [[ddns]] #1: 'secret': environment variable HP_CHECK_UNSET_SECRET is not set (referenced as env:HP_CHECK_UNSET_SECRET)" + note,
        ])

        let set = try await checked.check(environment: ["HP_CHECK_UNSET_KEY": "k", "HP_CHECK_UNSET_SECRET": "s"])
        #expect(set.exitCode == 0 && set.stderr.isEmpty, "\(set.stderr)")
        #expect(set.stdout.contains("ddns record: godaddy home.example.com A\n"), "\(set.stdout)")
    }

    @Test func aServiceProgramThatDoesNotExistOrDoesNotRunFailsTheCheck() async throws {
        let checked = Checked { dir in
            _ = dir.write("notes.txt", "not a program\n", mode: 0o644)
            try? FileManager.default.createDirectory(atPath: dir.file("bin"), withIntermediateDirectories: true)
            return """
                [[service]]
                name = "missing"
                command = ["\(dir.file("no-such-program"))"]

                [[service]]
                name = "plain-file"
                command = "\(dir.file("notes.txt")) --flag"

                [[service]]
                name = "typo"
                command = "pyhton3 -m http.server"
                env = { PATH = "\(dir.file("bin"))" }

                [[service]]
                name = "fine"
                command = "sh -c true"
                env = { PATH = "/usr/bin:/bin" }

                """
        }
        defer { checked.dir.remove() }
        let output = try await checked.check()
        let dir = checked.dir
        #expect(output.exitCode == 78, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.isEmpty, "\(output.stdout)")
        #expect(Checked.lines(output.stderr) == [
            "homeport: \(checked.config):4: [[service]] missing: 'command': \(dir.file("no-such-program")) does not exist",
            "homeport: \(checked.config):8: [[service]] plain-file: 'command': \(dir.file("notes.txt")) is not executable (mode 644); run `chmod +x \(dir.file("notes.txt"))`",
            "homeport: \(checked.config):12: [[service]] typo: 'command': 'pyhton3' is not in any directory of PATH (\(dir.file("bin"))); give its full path, or set env.PATH for this service",
        ])
    }

    /// The rendezvous server takes TCP port − 1, port and port + 2 and UDP port, the relay TCP
    /// port and port + 2 (docs/rustdesk-protocol.md#ports).
    @Test func portsTheBuiltInServersAlreadyTakeFailTheCheck() async throws {
        let checked = Checked { _ in
            """
            [rendezvous]
            port = 21117

            [[service]]
            name = "web"
            command = ["/bin/sh", "-c", "true"]
            health = "tcp:21116"

            """
        }
        defer { checked.dir.remove() }
        let output = try await checked.check()
        #expect(output.exitCode == 78, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.isEmpty, "\(output.stdout)")
        let rendezvous = "[rendezvous] port = 21117 takes TCP 21116, 21117 and 21119 (port − 1, port, port + 2) and UDP 21117"
        #expect(Checked.lines(output.stderr) == [
            "homeport: \(checked.config):5: \(rendezvous) and [relay] port = 21117 takes TCP 21117 and 21119 (port, port + 2): both would listen on TCP 21117 and 21119; pick ports that do not overlap, for example the defaults [rendezvous] port = 21116 and [relay] port = 21117",
            "homeport: \(checked.config):10: 'health' in [[service]] #1 (web) checks TCP port 21116, which the built-in rendezvous server takes (\(rendezvous)); the check would reach that server instead of the service, and the service could not listen there: give the service another port, or move [rendezvous] port",
        ])

        // With the relay off and the service checking a port of its own, nothing collides.
        _ = checked.dir.write("homeport.toml", "[rendezvous]\nport = 21117\n\n[relay]\nenabled = false\n\n[[service]]\nname = \"web\"\ncommand = [\"/bin/sh\"]\nhealth = \"tcp:21118\"\n")
        let fixed = try await checked.check()
        #expect(fixed.exitCode == 0 && fixed.stderr.isEmpty, "\(fixed.stderr)")
    }

    /// One run names every problem, in file order: the file's own (unknown key, wrong type, a
    /// missing required key, a value outside the choices) and what the checks of the entries
    /// that could be read find.
    @Test func everyProblemInTheFileIsReportedInOneRun() async throws {
        let checked = Checked { dir in
            """
            log_levl = "debug"

            [relay]
            port = "21117"

            [[service]]
            name = "web"
            restart = "sometimes"

            [[ddns]]
            provider = "duckdns"
            hostnames = ["a.duckdns.org"]
            token = "file:\(dir.file("missing-token"))"
            tokn = "x"

            """
        }
        defer { checked.dir.remove() }
        let output = try await checked.check()
        #expect(output.exitCode == 78, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.isEmpty, "\(output.stdout)")
        let expected: [(line: Int, text: String)] = [
            (4, "unknown key 'log_levl' in [daemon] (did you mean 'log_level'?); valid keys: "),
            (7, "'port' in [relay] must be a whole number from 1 to 65533, not the string \"21117\""),
            (9, "[[service]] #1 needs 'command', for example command = "),
            (11, "'restart' in [[service]] #1 must be one of always, on-failure, never, not \"sometimes\""),
            (13, "[[ddns]] #1: unknown setting 'tokn' for provider duckdns (did you mean 'token'?)"),
            (13, "[[ddns]] #1: 'token': secret file \(checked.dir.file("missing-token")) does not exist"),
        ]
        let lines = Checked.lines(output.stderr)
        #expect(lines.count == expected.count, "\(output.stderr)")
        for (line, (number, text)) in zip(lines, expected) {
            #expect(line.hasPrefix("homeport: \(checked.config):\(number): \(text)"), "\(line)")
        }
    }
}
