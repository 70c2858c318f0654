import Config
@testable import Daemon
import Foundation
import History
import InternetAddress
import Logging
import NIOCore
import PublicIP
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// When the daemon's DDNS side sends: at the end of a record's minimum interval rather than on a
/// later minute tick, at once for a change that came before its loop started, and once when
/// `homeport update` runs while the daemon does.
@Suite struct DaemonDDNSTimingTests {
    /// Duck DNS's rules with a 15 s minimum interval, as a user's own provider file.
    static let provider = """
        display_name = "Duck DNS with a short minimum interval"
        documentation = "https://www.duckdns.org/spec.jsp"
        families = ["ipv4", "ipv6"]
        base_url = "https://www.duckdns.org"
        min_interval = "15s"

        [settings.token]
        required = true
        secret = true
        description = "The account token"

        [[step]]
        name = "update"
        path = "/update"
        query = { domains = "{hostname}", token = "{setting.token}", ip = "{ipv4}", verbose = "true" }

        [[step.rule]]
        body_prefix = "OK"
        outcome = "updated"
        """

    static func entry(_ server: ReplayHTTPServer) -> String {
        """
        [[ddns]]
        provider = "quickduck"
        hostnames = ["myhome.duckdns.org"]
        token = "hp-timing-test-token"
        server = "\(server.baseURL)"
        verify = "none"
        """
    }

    static let updated = ReplayHTTPServer.Reply(status: 200, body: "OK\nUPDATED")

    @Test func aChangeInsideTheMinimumIntervalIsSentWhenItEnds() async throws {
        let echo = try await ReplayHTTPServer()
        let duck = try await ReplayHTTPServer()
        echo.script(Array(repeating: .init(status: 200, body: "203.0.113.9\n"), count: 50))
        duck.script([Self.updated, Self.updated])
        var daemon = DaemonHarness(config: """
            [ip]
            http_ipv4 = ["\(echo.baseURL)/a", "\(echo.baseURL)/b"]
            ipv6 = false
            dns = false
            \(Self.entry(duck))
            """)
        defer { daemon.remove() }
        try FileManager.default.createDirectory(atPath: daemon.dir.file("providers"), withIntermediateDirectories: true)
        _ = daemon.dir.write("providers/quickduck.toml", Self.provider)

        // The previous update, by `homeport update` before the daemon starts.
        let first = try await daemon.homeport(["update", "--ip4", "203.0.113.8"])
        #expect(first.exitCode == 0, "\(first.stdout)\(first.stderr)")
        let firstSent = ContinuousClock.now
        #expect(duck.requests.count == 1)

        // The daemon learns 203.0.113.9 within seconds: too soon, so it is due 15 s after the
        // first request. The minute tick would send it 60 s after the daemon started.
        try await daemon.start()
        let sent = await eventually(timeout: .seconds(35)) { duck.requests.count >= 2 }
        let elapsed = ContinuousClock.now - firstSent
        #expect(sent, "the change was not sent within 35 s; log:\n\(daemon.log)")
        #expect(duck.requests.last?.query["ip"] == "203.0.113.9")
        // Measured from the end of the command, which may exit a moment after its request.
        #expect(elapsed >= .seconds(10), "sent after \(elapsed), inside the minimum interval")
        #expect(elapsed < .seconds(30), "sent after \(elapsed), long after the minimum interval ended")
        daemon.process?.signal(SIGTERM)
        _ = try await daemon.process?.wait()
        await echo.stop()
        await duck.stop()
    }

    @Test func aChangeBeforeTheLoopStartsIsSentPromptly() async throws {
        let duck = try await ReplayHTTPServer()
        duck.script([Self.updated])
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.file("providers"), withIntermediateDirectories: true)
        _ = dir.write("providers/quickduck.toml", Self.provider)
        let path = dir.write("homeport.toml", "[rendezvous]\nenabled = false\n[relay]\nenabled = false\n" + Self.entry(duck))
        var config = try ConfigLoader.load(path: path)
        // No tick within the test: only the change can make the round.
        config.daemon.ddnsCheckInterval = .seconds(3600)
        let history = try HistoryStore(path: dir.file("history.sqlite"))
        let task = DDNSTask(config: config, history: history, stateDirectory: dir.file("state"), version: "test", logger: Logger(label: "ddns"))
        let address: IPAddress = "203.0.113.9"
        await task.addressChanged(IPChange(family: .ipv4, old: nil, new: address, sources: ["test"], time: Date(), reason: "start"))
        let loop = Task { await task.run() }
        defer { loop.cancel() }
        let sent = await eventually(timeout: .seconds(10)) { duck.requests.count == 1 }
        #expect(sent, "a change from before the loop started waited for the next tick")
        await duck.stop()
    }

    @Test func anUpdateCommandWhileTheDaemonRunsSendsOnce() async throws {
        let duck = try await ReplayHTTPServer()
        // The first answer is late, so a second round that does not wait for the first one
        // would decide before anything is recorded and send again.
        duck.script([.init(status: 200, body: "OK\nUPDATED", delay: .seconds(2)), Self.updated])
        var daemon = DaemonHarness(config: Self.entry(duck))
        defer { daemon.remove() }
        try FileManager.default.createDirectory(atPath: daemon.dir.file("providers"), withIntermediateDirectories: true)
        _ = daemon.dir.write("providers/quickduck.toml", Self.provider)
        try await daemon.start()

        let update = ["update", "--ip4", "203.0.113.9"] + daemon.locationArguments
        async let one = Homeport.run(update)
        try await Task.sleep(for: .milliseconds(300))
        async let two = Homeport.run(update)
        let outputs = try await [one, two]
        for output in outputs { #expect(output.exitCode == 0, "\(output.stdout)\(output.stderr)") }
        #expect(duck.requests.count == 1, "\(duck.requests.count) requests for one address change")
        daemon.process?.signal(SIGTERM)
        _ = try await daemon.process?.wait()
        await duck.stop()
    }
}
