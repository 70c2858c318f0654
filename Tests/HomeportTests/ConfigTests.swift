import Foundation
import Testing
@testable import Config

@Suite struct ConfigParsingTests {
    @Test func emptyFileMeansDefaults() throws {
        var config = try ConfigLoader.parse(text: "", file: "homeport.toml")
        #expect(config.sourcePath == "homeport.toml")
        config.sourcePath = nil
        #expect(config == HomeportConfig.embeddedDefaults)
        #expect(config.rendezvous.port == 21116 && config.relay.port == 21117)
        #expect(config.daemon.retentionDays == 400)
        #expect(config.daemon.heartbeatInterval == .seconds(60))
    }

    @Test func exampleConfigParsesToTheDefaults() throws {
        var config = try ConfigLoader.parse(text: ExampleConfig.text, file: "example.toml")
        config.sourcePath = nil
        #expect(config == HomeportConfig.embeddedDefaults)
    }

    @Test func exampleServiceBlockParsesWhenUncommented() throws {
        let uncommented = ExampleConfig.text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            line.hasPrefix("# [[service]]") || line.hasPrefix("# name") || line.hasPrefix("# command") || line.hasPrefix("# working_dir")
                || line.hasPrefix("# env") || line.hasPrefix("# restart") || line.hasPrefix("# health") || line.hasPrefix("# stop_timeout")
                || line.hasPrefix("# [[ddns]]") || line.hasPrefix("# provider") || line.hasPrefix("# hostnames") || line.hasPrefix("# token")
                || line.hasPrefix("# ipv4") || line.hasPrefix("# ipv6")
                ? String(line.dropFirst(2)) : String(line)
        }.joined(separator: "\n")
        let config = try ConfigLoader.parse(text: uncommented, file: "example.toml")
        #expect(config.services.count == 1)
        let service = try #require(config.services.first)
        #expect(service.command == ["/usr/bin/python3", "-m", "http.server", "8080"])
        #expect(service.health == .tcp(port: 8080))
        #expect(service.healthInterval == .seconds(10))
        #expect(service.environment == ["PYTHONUNBUFFERED": "1"])
        #expect(config.ddns.first?.settings["token"] == .secret(.environment("DUCKDNS_TOKEN")))
    }

    @Test func ipRouterAndSuffixSettings() throws {
        let config = try ConfigLoader.parse(text: """
            [ip]
            interval = "10m"
            router_interval = "5s"
            ipv6 = false
            dns = false
            agreement = 1
            http_ipv4 = ["http://203.0.113.10/"]
            timeout = "500ms"
            [router]
            map_ports = true
            gateway = "192.168.7.1"
            lease = "2h"
            test_mapping_interval = "2m"
            [[ddns]]
            provider = "desec"
            hostnames = ["pc.dedyn.io"]
            ipv4 = false
            ipv6 = true
            ipv6_suffix = "::1234"
            token = "env:DESEC_TOKEN"
            """, file: "h.toml")
        #expect(config.ip.interval == .seconds(600) && config.ip.routerInterval == .seconds(5))
        #expect(config.ip.ipv4 && !config.ip.ipv6 && !config.ip.dns && config.ip.agreement == 1)
        #expect(config.ip.httpIPv4 == ["http://203.0.113.10/"] && config.ip.httpIPv6 == nil)
        #expect(config.ip.timeout == .milliseconds(500))
        #expect(config.router.mapPorts && config.router.gateway == "192.168.7.1" && config.router.lease == .seconds(7200))
        #expect(config.router.testMappingInterval == .seconds(120))
        #expect(config.ddns.first?.ipv6Suffix == "::1234" && config.ddns.first?.ipv6PrefixLength == 64)
        #expect(config.ddns.first?.settings["ipv6_suffix"] == nil)
    }

    @Test func fullServiceDefinition() throws {
        let text = """
        [[service]]
        name = "files"
        command = "python3 -m http.server '8080' --bind \\"127.0.0.1\\""
        working_dir = "/srv"
        env = { A = "1", B = "two words" }
        restart = "on-failure"
        health = "tcp:8080"
        health_interval = "2s"
        stop_timeout = 3

        [[service]]
        name = "other"
        command = ["/bin/true"]
        enabled = false
        """
        let config = try ConfigLoader.parse(text: text, file: "f.toml")
        #expect(config.services.count == 2)
        let files = config.services[0]
        #expect(files.command == ["python3", "-m", "http.server", "8080", "--bind", "127.0.0.1"])
        #expect(files.workingDirectory == "/srv")
        #expect(files.environment == ["A": "1", "B": "two words"])
        #expect(files.restart == .onFailure)
        #expect(files.health == .tcp(port: 8080))
        #expect(files.healthInterval == .seconds(2))
        #expect(files.stopTimeout == .seconds(3))
        #expect(files.line == 1)
        #expect(config.services[1].enabled == false)
        #expect(config.services[1].line == 11)
    }

    struct BadInput: Sendable, CustomTestStringConvertible {
        let text: String
        let line: Int?
        let fragments: [String]
        var testDescription: String { fragments.first ?? text }
    }

    static let badInputs: [BadInput] = [
        BadInput(text: "[[service]]\nname = \"web\"\ncomand = [\"x\"]\n", line: 3,
                 fragments: ["unknown key 'comand' in [[service]] #1", "did you mean 'command'", "valid keys: command, enabled, env, health, health_interval, name, restart, stop_timeout, working_dir"]),
        BadInput(text: "[deamon]\nlog_level = \"info\"\n", line: 1,
                 fragments: ["unknown key 'deamon' in the top level", "did you mean 'daemon'", "valid keys: check, daemon, ddns, ip, probe, relay, rendezvous, router, service"]),
        BadInput(text: "# comment\n[daemon]\n\nretention = 3\n", line: 4,
                 fragments: ["unknown key 'retention' in [daemon]", "valid keys: ddns_check_interval, heartbeat_interval, log_level, retention_days, state_dir"]),
        BadInput(text: "[daemon]\nlog_level = \"loud\"\n", line: 2,
                 fragments: ["'log_level' in [daemon] must be one of trace, debug, info, notice, warning, error, critical, not \"loud\""]),
        BadInput(text: "[relay]\nport = 70000\n", line: 2, fragments: ["'port' in [relay] must be from 1 to 65533, not 70000"]),
        BadInput(text: "[relay]\nport = \"21117\"\n", line: 2, fragments: ["'port' in [relay] must be a whole number", "not the string \"21117\""]),
        BadInput(text: "[ip]\ninterval = \"soon\"\n", line: 2, fragments: ["'interval' in [ip] must be a duration from 0s to 1d (a number of seconds or a string such as"]),
        BadInput(text: "[ip]\ninterval = \"5s\"\n", line: 2, fragments: ["at least 30s"]),
        BadInput(text: "[ip]\nhttp_ipv4 = [\"api.ipify.org\"]\n", line: 2, fragments: ["'http_ipv4' in [ip] must list http:// or https:// URLs, not \"api.ipify.org\""]),
        BadInput(text: "[ip]\nagreement = 0\n", line: 2, fragments: ["'agreement' in [ip] must be from 1 to 10, not 0"]),
        BadInput(text: "[router]\nmap_port = true\n", line: 2, fragments: ["unknown key 'map_port' in [router]", "did you mean 'map_ports'", "valid keys: enabled, gateway, lease, map_ports, test_mapping_interval"]),
        BadInput(text: "[router]\ngateway = \"router.lan\"\n", line: 2, fragments: ["'gateway' in [router] must be the router's IPv4 address such as \"192.168.1.1\", not \"router.lan\""]),
        BadInput(text: "[router]\nlease = \"30s\"\n", line: 2, fragments: ["'lease' in [router] must be at least 2m"]),
        BadInput(text: "[router]\nmap_ports = true\ntest_mapping_interval = \"10s\"\n", line: 3,
                 fragments: ["'test_mapping_interval' in [router] must be at least 30s; each test adds and removes a mapping on the router"]),
        BadInput(text: "[router]\ntest_mapping_interval = \"2d\"\n", line: 2,
                 fragments: ["'test_mapping_interval' in [router] must be at most 1d (from 0s to 1d), not 2d"]),
        BadInput(text: "[[ddns]]\nprovider = \"x\"\nhostnames = [\"h\"]\nipv6 = true\nipv6_suffix = \"1234\"\n", line: 5, fragments: ["'ipv6_suffix' in [[ddns]] #1 must be an interface identifier such as \"::1234\""]),
        BadInput(text: "[[service]]\nname = \"a\"\ncommand = [\"x\"]\nrestart = \"sometimes\"\n", line: 4,
                 fragments: ["'restart' in [[service]] #1 must be one of always, on-failure, never, not \"sometimes\""]),
        BadInput(text: "[[service]]\nname = \"a\"\ncommand = [\"x\"]\nhealth = \"http:80\"\n", line: 4,
                 fragments: ["'health' in [[service]] #1 must be \"none\" or \"tcp:PORT\""]),
        BadInput(text: "[[service]]\nname = \"a\"\n", line: 1, fragments: ["[[service]] #1 needs 'command'"]),
        BadInput(text: "[[service]]\ncommand = [\"x\"]\n", line: 1, fragments: ["[[service]] #1 needs 'name'"]),
        BadInput(text: "[[service]]\nname = \"a b\"\ncommand = [\"x\"]\n", line: 2, fragments: ["service name 'a b' may use only"]),
        BadInput(text: "[[service]]\nname = \"relay\"\ncommand = [\"x\"]\n", line: 2, fragments: ["built-in service"]),
        BadInput(text: "[[service]]\nname = \"a\"\ncommand = \"x 'y\"\n", line: 3, fragments: ["unclosed quote"]),
        BadInput(text: "[[service]]\nname = \"a\"\ncommand = [\"x\"]\n[[service]]\nname = \"a\"\ncommand = [\"y\"]\n", line: 5, fragments: ["two [[service]] entries are named 'a'"]),
        BadInput(text: "[service]\nname = \"a\"\n", line: nil, fragments: ["write [[service]] with double brackets"]),
        BadInput(text: "[[service]]\nname = \"a\"\ncommand = [\"x\"]\nworking_dir = \"srv\"\n", line: 4, fragments: ["must be an absolute path"]),
        BadInput(text: "[[ddns]]\nprovider = \"duckdns\"\n", line: 1, fragments: ["[[ddns]] #1 needs 'hostnames'"]),
        BadInput(text: "[[ddns]]\nprovider = \"x\"\nhostnames = [\"h\"]\nipv4 = false\n", line: 4, fragments: ["both ipv4 and ipv6 turned off"]),
        // An escaped quote with "#" and "]" inside a string must not end the array early.
        BadInput(text: "[[service]]\nname = \"a\"\ncommand = [\"echo\", \"say \\\"#\\\" ]\"]\ncomand = 1\n", line: 4,
                 fragments: ["unknown key 'comand' in [[service]] #1"]),
        BadInput(text: "[daemon]\nlog_level = \"info\"\nlog_level = \"debug\"\n", line: 3, fragments: ["not valid TOML"]),
        BadInput(text: "[daemon\n", line: 1, fragments: ["not valid TOML"]),
    ]

    #if os(Linux)
    /// FoundationNetworking refuses IPv6-literal hosts (the old IPv6 default never answered).
    static let platformBadInputs: [BadInput] = [
        BadInput(text: "[ip]\nhttp_ipv6 = [\"https://[2606:4700:4700::1111]/cdn-cgi/trace\"]\n", line: 2,
                 fragments: ["names its host by an IPv6 address, which the HTTP library on Linux refuses", "https://api6.ipify.org"]),
    ]
    #else
    static let platformBadInputs: [BadInput] = []
    #endif

    @Test(arguments: badInputs + platformBadInputs)
    func badInputNamesFileLineAndWhatIsValid(_ input: BadInput) {
        do {
            _ = try ConfigLoader.parse(text: input.text, file: "/etc/homeport/homeport.toml")
            Issue.record("expected an error for:\n\(input.text)")
        } catch {
            #expect(error.file == "/etc/homeport/homeport.toml")
            if let line = input.line {
                #expect(error.line == line, "\(error)")
                #expect(error.description.hasPrefix("/etc/homeport/homeport.toml:\(line): "))
            }
            for fragment in input.fragments {
                #expect(error.description.contains(fragment), "\(error.description) should contain \(fragment)")
            }
        }
    }

    @Test func keyLinesSkipMultilineValues() throws {
        let text = """
        [[service]]
        name = "a"
        command = [
          "x",
          "y = z",
        ]
        note = \"\"\"
        restart = "never"
        \"\"\"
        """
        do {
            _ = try ConfigLoader.parse(text: text, file: "f")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 7)
            #expect(error.description.contains("unknown key 'note'"))
        }
    }
}

@Suite struct ConfigFileTests {
    @Test func missingExplicitFileIsOneSentence() {
        do {
            _ = try ConfigLoader.load(path: "/nonexistent/homeport.toml")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "/nonexistent/homeport.toml: no such file; create one with `homeport config example > /nonexistent/homeport.toml` or leave out --config to run on the built-in defaults")
        }
    }

    @Test func worldReadableFileWithInlineSecretsWarns() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let text = "[[ddns]]\nprovider = \"duckdns\"\nhostnames = [\"h.duckdns.org\"]\ntoken = \"abc123secret\"\n"
        let open = dir.write("open.toml", text, mode: 0o644)
        let config = try ConfigLoader.load(path: open)
        #expect(config.warnings.count == 1)
        #expect(config.warnings[0].contains("readable by every user"))
        #expect(config.warnings[0].contains("[[ddns]] #1 token"))
        #expect(!config.warnings[0].contains("abc123secret"))

        let closed = dir.write("closed.toml", text, mode: 0o600)
        #expect(try ConfigLoader.load(path: closed).warnings.isEmpty)

        let referenced = dir.write("ref.toml", text.replacingOccurrences(of: "abc123secret", with: "env:DUCK"), mode: 0o644)
        #expect(try ConfigLoader.load(path: referenced).warnings.isEmpty)
    }

    @Test func secretsResolveAndNeverPrint() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let secretFile = dir.write("token", "from-file\n")
        #expect(try SecretValue(parsing: "env:TOKEN").resolve(environment: ["TOKEN": "from-env"]) == "from-env")
        #expect(try SecretValue(parsing: "file:\(secretFile)").resolve(environment: [:]) == "from-file")
        #expect(try SecretValue(parsing: "plain").resolve(environment: [:]) == "plain")
        #expect(SecretValue(parsing: "hunter2").description == "<redacted>")
        #expect(throws: SecretValue.ResolveError.self) { try SecretValue(parsing: "env:MISSING").resolve(environment: [:]) }
        #expect(throws: SecretValue.ResolveError.self) { try SecretValue(parsing: "file:/nonexistent").resolve(environment: [:]) }

        let config = try ConfigLoader.parse(text: "[[ddns]]\nprovider = \"x\"\nhostnames = [\"h\"]\npassword = \"hunter2\"\nusername = \"me\"\n", file: "f")
        let summary = ConfigSummary.lines(config).joined(separator: "\n")
        #expect(!summary.contains("hunter2"))
        #expect(summary.contains("password=<redacted>"))
        #expect(summary.contains("username=me"))
    }
}

@Suite struct SmallParserTests {
    @Test(arguments: [
        ("90", 90.0), ("500ms", 0.5), ("90s", 90), ("5m", 300), ("1h30m", 5400), ("7d", 604_800), (" 2h ", 7200),
    ])
    func durations(_ text: String, _ seconds: Double) {
        #expect(DurationText.parse(text).map(DurationText.seconds) == seconds)
    }

    @Test(arguments: ["", "5", "-3", "5x", "m5", "1.5h", "5 minutes"])
    func badDurations(_ text: String) {
        if text == "5" { #expect(DurationText.parse(text) == .seconds(5)); return }
        #expect(DurationText.parse(text) == nil)
    }

    @Test func durationFormatting() {
        #expect(DurationText.format(.seconds(45)) == "45s")
        #expect(DurationText.format(.seconds(200)) == "3m 20s")
        #expect(DurationText.format(.seconds(7500)) == "2h 5m")
        #expect(DurationText.format(.seconds(4 * 86400 + 3 * 3600)) == "4d 3h")
    }

    @Test func shellWords() throws {
        #expect(try ShellWords.split("a b  c") == ["a", "b", "c"])
        #expect(try ShellWords.split("sh -c 'echo hi; exit 3'") == ["sh", "-c", "echo hi; exit 3"])
        #expect(try ShellWords.split(#"say "a \"quoted\" word" x\ y"#) == ["say", #"a "quoted" word"#, "x y"])
        #expect(try ShellWords.split("''") == [""])
        #expect(throws: ShellWords.Unbalanced.self) { try ShellWords.split("'open") }
    }

    @Test func suggestions() {
        #expect(KeySuggestion.closest(to: "comand", in: ServiceDefinition.validKeys) == "command")
        #expect(KeySuggestion.closest(to: "xyzzy", in: ServiceDefinition.validKeys) == nil)
    }
}
