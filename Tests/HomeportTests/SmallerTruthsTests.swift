import Foundation
import History
import Logging
import NIOCore
import NIOPosix
@testable import Reports
import StatusModel
import Testing
@testable import PublicIP
@testable import Supervisor

#if canImport(Glibc)
import Glibc
#endif

/// Issue 12, defect 9 ("Smaller truths"): what homeport says must match what it does and what
/// the README and `--help` promise. One test per item of the report.
@Suite(.serialized) struct SmallerTruthsTests {
    /// A history database with one service, "web", that started and exited.
    static func history(in dir: TemporaryDirectory) async throws -> String {
        let state = dir.file("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let store = try HistoryStore(path: state + "/history.sqlite3")
        let runID = try await store.beginDaemonRun(at: Date().addingTimeInterval(-120), pid: 1, version: "t", heartbeatInterval: 60)
        try await store.record(ServiceEvent(time: Date().addingTimeInterval(-100), service: "web", kind: .start, pid: 5,
                                            detail: "/usr/bin/python3 -m http.server"), runID: runID)
        try await store.record(ServiceEvent(time: Date().addingTimeInterval(-50), service: "web", kind: .exit, pid: 5, exitCode: 3), runID: runID)
        try await store.endDaemonRun(runID: runID, at: Date().addingTimeInterval(-10))
        return state
    }

    /// `homeport ARGUMENTS` in a network namespace of its own with only loopback (up), so the
    /// echo services are unreachable and the router at 127.0.0.1 is silent.
    static func isolated(_ arguments: [String]) async throws -> Homeport.Output {
        try await Programs.run("/usr/bin/unshare", ["--net", "/bin/sh", "-c", "ip link set lo up; exec \"$0\" \"$@\"", TestBinary.homeport] + arguments)
    }

    /// Every object key in `json`, at any depth.
    static func keys(_ json: Any) -> [String] {
        if let object = json as? [String: Any] { return object.keys + object.values.flatMap(keys) }
        if let array = json as? [Any] { return array.flatMap(keys) }
        return []
    }

    /// Item 1: a busy port is `port-conflict` for as long as it is busy, never `crash-looping`
    /// with 0 restarts (it used to turn into crash-looping after the fifth try).
    @Test func aBusyPortStaysAPortConflict() async throws {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        defer { listener.close(promise: nil) }
        let port = try #require(listener.localAddress?.port)
        let events = EventCollector()
        let supervisor = Supervisor(launcher: TestBinary.homeport, sink: events, logger: LogCapture().logger())
        await supervisor.apply([ServiceSpec(name: "web", command: ["sleep", "300"], ports: [port])])
        // Five tries: 0.5 + 1 + 2 + 4 s of back-off between them.
        let tried = await eventually(timeout: .seconds(40)) { events.events(.portConflict, of: "web").count >= 5 }
        #expect(tried)
        // The state is set before the wait that follows the fifth try.
        _ = await eventually(timeout: .seconds(5)) { events.events(.restart, of: "web").count >= 5 }
        let status = try #require(await supervisor.statuses().first { $0.name == "web" })
        await supervisor.stopAll(reason: "test over")
        #expect(status.state == .portConflict, "\(status)")
        #expect(status.restarts == 0)
        #expect(status.problem?.contains("port \(port) is already in use") == true)
        #expect(events.events(.crashLoop, of: "web").isEmpty, "a held port is not a crash loop")
    }

    /// Item 2: the README says a crash-looping service is retried every 60 s; the log and the
    /// next start said 8 s, then 16 s.
    @Test func aCrashLoopingServiceIsRetriedEverySixtySeconds() async throws {
        #expect(BackoffPolicy().delay(afterConsecutiveFailures: 5) == .seconds(60))
        let events = EventCollector()
        let log = LogCapture()
        let supervisor = Supervisor(launcher: TestBinary.homeport, sink: events, logger: log.logger())
        await supervisor.apply([ServiceSpec(name: "flaky", command: ["sh", "-c", "exit 3"])])
        let looped = await eventually(timeout: .seconds(60)) { !events.events(.crashLoop, of: "flaky").isEmpty }
        #expect(looped)
        _ = await eventually(timeout: .seconds(5)) { await supervisor.statuses().first?.nextStartAt != nil }
        let status = try #require(await supervisor.statuses().first)
        await supervisor.stopAll(reason: "test over")
        #expect(status.state == .crashLooping)
        let wait = (status.nextStartAt ?? .distantPast).timeIntervalSinceNow
        #expect(wait > 50 && wait <= 60, "next start in \(wait) s")
        #expect(log.lines.contains { $0.contains("[flaky] is crash-looping: 5 failures in a row; retrying every 60s") }, "\(log.lines)")
        let restart = events.events(.restart, of: "flaky").last?.detail
        #expect(restart == "restarting in 60s (attempt 6)")
    }

    /// Item 3: `--help` offers `--since 1y`; it was refused as not a duration.
    @Test func sinceOneYearIsAccepted() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let state = try await Self.history(in: dir)
        for command in ["uptime", "events", "ip", "ddns", "relay"] {
            let output = try await Homeport.run(["history", command, "--since", "1y", "--state-dir", state])
            #expect(output.exitCode == 0, "history \(command) --since 1y: \(output.stderr)")
        }
        let uptime = try await Homeport.run(["history", "uptime", "--since", "1y", "--json", "--state-dir", state])
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(uptime.stdout.utf8)) as? [String: Any])
        let from = try #require(summary["from"] as? String)
        #expect(from.hasPrefix(StatusJSON.rfc3339(Date().addingTimeInterval(-365 * 86400)).prefix(10)), "\(from)")
        let help = try await Homeport.run(["history", "uptime", "--help"])
        #expect(help.stdout.contains("1y is 365d"))
    }

    /// Item 4: `ip --verbose` promises every source's conversation: what was asked, the answer
    /// or error, and how long it took. In a network namespace of its own nothing answers.
    @Test func ipVerboseLogsEachConversation() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = dir.write("homeport.toml", "[ip]\ntimeout = \"1s\"\n\n[router]\ngateway = \"127.0.0.1\"\n")
        let output = try await Self.isolated(["ip", "--verbose", "--config", config, "--state-dir", dir.file("state")])
        #expect(output.stdout.contains("Verdict:"), "\(output.stdout)\n\(output.stderr)")
        let log = output.stderr
        let ipify = try #require(log.split(separator: "\n").first { $0.contains("asked GET https://api.ipify.org;") }, "\(log)")
        #expect(ipify.contains("IPv4 source api.ipify.org (http)"))
        #expect(ipify.range(of: #"no answer after \d+ ms: request failed"#, options: .regularExpression) != nil, "\(ipify)")
        #expect(log.contains("asked whoami.cloudflare CH TXT from 1.1.1.1:53 over UDP; no answer after"), "\(log)")
        #expect(log.contains("asked the addresses of this host's interfaces; no answer after"), "\(log)")
        #expect(log.contains("IPv4 source router (router): asked the router's WAN address (PCP, NAT-PMP, UPnP IGD)"), "\(log)")
        for mappingProtocol in ["pcp", "natpmp", "upnp"] {
            #expect(log.contains("router 127.0.0.1 over \(mappingProtocol): \(mappingProtocol): no answer from the router"), "\(log)")
        }
    }

    /// Item 5: a mistyped `--service` said "No services in the history yet".
    @Test func anUnknownServiceIsNamedWithTheKnownOnes() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let state = try await Self.history(in: dir)
        for command in ["uptime", "events"] {
            let output = try await Homeport.run(["history", command, "--service", "wbe", "--state-dir", state])
            #expect(output.exitCode == 1, "history \(command): \(output.stdout)")
            #expect(output.stderr == "homeport: No service named 'wbe' in the history; known: web. Did you mean 'web'?\n", "\(output.stderr)")
        }
        let known = try await Homeport.run(["history", "uptime", "--service", "web", "--state-dir", state])
        #expect(known.exitCode == 0 && known.stdout.contains("web"), "\(known.stderr)")
    }

    /// Item 6: `admin bogus` printed an error as its answer and exited 0.
    @Test func anUnknownAdminCommandFails() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let server = try await RendezvousChild.start(["-k", ""], in: dir)
        let output = try await Homeport.run(["admin", "--state-dir", server.stateDirectory, "bogus"])
        let status = try await Homeport.run(["admin", "--state-dir", server.stateDirectory, "status"])
        try await server.stop()
        #expect(output.exitCode == 1)
        #expect(output.stdout.isEmpty)
        #expect(output.stderr.hasPrefix("homeport: unknown command 'bogus'; known: status, relay-servers"), "\(output.stderr)")
        #expect(status.exitCode == 0, "\(status.stderr)")
    }

    /// Item 7: one JSON style for every `--json` output and admin answer: snake_case keys,
    /// pretty-printed, slashes not escaped. `status --json` was one line, `history --json`
    /// escaped slashes, `ip --json` had camelCase keys in the router probe.
    @Test func everyJSONOutputHasOneStyle() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let state = try await Self.history(in: dir)
        let config = dir.write("homeport.toml", "[ip]\ntimeout = \"1s\"\n\n[router]\ngateway = \"127.0.0.1\"\n")
        var outputs: [(String, String)] = []
        for arguments in [["history", "events"], ["history", "uptime"], ["status"]] {
            let output = try await Homeport.run(arguments + ["--json", "--state-dir", state, "--config", config])
            outputs.append((arguments.joined(separator: " "), output.stdout))
        }
        let ip = try await Self.isolated(["ip", "--json", "--config", config, "--state-dir", state])
        outputs.append(("ip", ip.stdout))
        let server = try await RendezvousChild.start(["-k", ""], in: dir)
        let admin = try await Homeport.run(["admin", "--state-dir", server.stateDirectory, "status"])
        try await server.stop()
        outputs.append(("admin status", admin.stdout))
        for (name, text) in outputs {
            let json = try #require(try? JSONSerialization.jsonObject(with: Data(text.utf8)), "\(name): \(text)")
            #expect(text.hasPrefix("{\n  \"") || text.hasPrefix("[\n  "), "\(name) is pretty-printed: \(text.prefix(200))")
            #expect(!text.contains(#"\/"#), "\(name) escapes no slash")
            let camel = Self.keys(json).filter { $0.range(of: "^[a-z0-9_]+$", options: .regularExpression) == nil }
            #expect(camel.isEmpty, "\(name) has keys that are not snake_case: \(Set(camel))")
        }
        #expect(outputs[0].1.contains(#""detail" : "/usr/bin/python3 -m http.server""#), "\(outputs[0].1)")
        #expect(ip.stdout.contains(#""probe" : ["#) && ip.stdout.contains(#""protocol" : "pcp""#), "\(ip.stdout)")
    }

    /// Item 8a: log lines are sentences, not `key=value` fragments.
    @Test func publicAddressLogLinesAreSentences() async throws {
        let log = LogCapture()
        let a = ScriptedSource("a", address: "203.0.113.1"), b = ScriptedSource("b", address: "203.0.113.1")
        var settings = PublicIPMonitorTests.settings()
        settings.ipv6Enabled = false
        let detector = PublicIPDetector(sources: [a, b], settings: settings, logger: log.logger())
        let monitor = IPMonitor(detector: detector, logger: log.logger())
        let running = Task { await monitor.run() }
        defer { running.cancel() }
        let changed = await eventually(timeout: .seconds(30)) { log.lines.contains { $0.contains("address changed") } }
        #expect(changed, "\(log.lines)")
        #expect(log.lines.contains("info public IPv4 address changed to 203.0.113.1 (start; agreed by a, b)"), "\(log.lines)")
        #expect(log.lines.contains { $0.hasPrefix("debug public address detection: IPv4 203.0.113.1, IPv6 disabled, verdict ") }, "\(log.lines)")
        let fragments = log.lines.filter { $0.range(of: #"\b[a-z_0-9]+=\S"#, options: .regularExpression) != nil }
        #expect(fragments.isEmpty, "\(fragments)")
    }

    /// Item 8b: a built-in server's line was logged with two levels (`info … [relay] info: …`):
    /// the child marks its level (`<6>`) and the daemon logs the line once, at that level.
    @Test func aSupervisedChildsLinesCarryOneLevel() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let log = LogCapture()
        let supervisor = Supervisor(launcher: TestBinary.homeport, sink: EventCollector(), logger: log.logger())
        let port = TestPorts.random()
        await supervisor.apply([
            ServiceSpec(name: "relay", command: [TestBinary.homeport, "relay", "--state-dir", dir.file("state"), "-p", "\(port)"],
                        environment: ["HOMEPORT_SUPERVISED": "1"]),
            ServiceSpec(name: "plain", command: ["sh", "-c", "echo '<3>disk full'; echo 'error: as it is'; sleep 300"]),
        ])
        let listening = await eventually(timeout: .seconds(20)) { log.lines.contains { $0.contains("relay listening on") } }
        _ = await eventually(timeout: .seconds(5)) { log.lines.contains { $0.contains("as it is") } }
        await supervisor.stopAll(reason: "test over")
        #expect(listening, "\(log.lines)")
        #expect(log.lines.contains("info [relay] relay listening on TCP \(port) and TCP \(port + 2) (WebSocket)"), "\(log.lines)")
        #expect(!log.lines.contains { $0.contains("[relay] info:") || $0.contains("[relay] <") }, "\(log.lines)")
        #expect(log.lines.contains("error [plain] disk full"), "\(log.lines)")
        #expect(log.lines.contains("info [plain] error: as it is"), "a line without the mark is left as it is")
    }

    /// Item 9: `status` listed the relay's TCP port but not its WebSocket port.
    @Test func statusListsTheRelaysWebSocketPort() {
        let summary = RelaySummary(port: 21117, licenceKeyEnforced: true, activeSessions: 0, waiting: 0, bytesRelayed: 0,
                                   counters: RelayCounters(), usage: [])
        let text = StatusReport.relayLines(summary, style: Style(color: false)).joined(separator: "\n")
        #expect(text.contains("RustDesk relay: TCP 21117, TCP 21119 (WebSocket); key required"), "\(text)")
    }

    /// Item 10: keygen's hint named the ID server but not the relay; both come from the config.
    @Test func keygenNamesTheIDServerTheRelayAndTheKey() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = dir.write("homeport.toml", "[rendezvous]\nport = 31116\n\n[relay]\nport = 31117\n")
        let output = try await Homeport.run(["keygen", "--config", config, "--state-dir", dir.file("state")])
        #expect(output.exitCode == 0, "\(output.stderr)")
        #expect(output.stdout.contains("ID server = <this host>:31116, Relay server = <this host>:31117, Key = the public key above."),
                "\(output.stdout)")
        let defaults = try await Homeport.run(["keygen", "--config", dir.write("empty.toml", ""), "--state-dir", dir.file("state")])
        #expect(defaults.stdout.contains("ID server = <this host>:21116, Relay server = <this host>:21117"), "\(defaults.stdout)")
    }
}
