import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// SIGHUP applies `[ip]` and `[[ddns]]` changes while the daemon runs (issue 12: they used to
/// wait for a restart), without making a reload an address change or a way around a provider's
/// back-off; the keys only a restart applies are named in the reload's summary line.
@Suite struct DaemonReloadNetworkTests {
    /// Two URLs per echo server: two agreeing sources outvote the test host's own interface address.
    static func config(echo: [ReplayHTTPServer], entries: [String], heartbeat: String = "60s") -> String {
        """
        [daemon]
        ddns_check_interval = "1s"
        heartbeat_interval = "\(heartbeat)"
        log_level = "debug"
        [ip]
        http_ipv4 = [\(echo.flatMap { ["\"\($0.baseURL)/a\"", "\"\($0.baseURL)/b\""] }.joined(separator: ", "))]
        ipv6 = false
        dns = false
        [router]
        enabled = false
        \(entries.joined(separator: "\n"))
        """
    }

    static func rounds(_ daemon: DaemonHarness) -> Int {
        daemon.log.components(separatedBy: "ddns: round done").count - 1
    }

    /// Waits until at least two more DDNS rounds ran (counted from the debug log), so what was
    /// not sent was decided against, not merely not reached yet.
    static func twoMoreRounds(_ daemon: DaemonHarness) async -> Bool {
        let before = rounds(daemon)
        return await eventually(timeout: .seconds(20)) { rounds(daemon) >= before + 2 }
    }

    @Test func anAddedEntryIsUpdatedAndABackingOffOneStaysBackingOff() async throws {
        let echo = try await ReplayHTTPServer()
        let waiting = try await ReplayHTTPServer()
        let added = try await ReplayHTTPServer()
        echo.script(Array(repeating: .init(status: 200, body: "203.0.113.9\n"), count: 100))
        // A 5xx is `retry_later`: the record backs off for 5 minutes (docs/ddns-policy.md#back-off).
        waiting.script([.init(status: 503, body: "busy")])
        added.script([.init(status: 200, body: "OK\n203.0.113.9\n\nUPDATED")])
        let waitingEntry = waiting.duckDNSEntry(hostname: "waiting.duckdns.org", token: "hp-reload-waiting-token")
        var daemon = DaemonHarness(config: Self.config(echo: [echo], entries: [waitingEntry]))
        defer { daemon.remove() }
        try await daemon.start()
        let backedOff = await eventually(timeout: .seconds(20)) { waiting.requests.count == 1 }
        try #require(backedOff, "\(daemon.log)")
        #expect(await Self.twoMoreRounds(daemon), "\(daemon.log)")

        // The same entry, now after the added one (a moved entry is no change), and a restart-only key.
        daemon.rewriteConfig(Self.config(echo: [echo], entries: [added.duckDNSEntry(hostname: "added.duckdns.org", token: "hp-reload-added-token"), waitingEntry],
                                         heartbeat: "30s"))
        daemon.process?.signal(SIGHUP)
        let sent = await eventually(timeout: .seconds(20)) { added.requests.count == 1 }
        #expect(sent, "the added entry was not updated after the reload:\n\(daemon.log)")
        #expect(added.requests.first?.query["ip"] == "203.0.113.9")
        let reloaded = await eventually { daemon.log.contains("reloaded: applied [[ddns]] (1 added); changed, takes effect when homeport restarts: [daemon] heartbeat_interval\n") }
        #expect(reloaded, "\(daemon.log)")
        #expect(await Self.twoMoreRounds(daemon), "\(daemon.log)")
        #expect(waiting.requests.count == 1, "the reload lifted the back-off: \(waiting.requests.count) requests")
        let records = try await daemon.status().ddns ?? []
        #expect(records.contains { $0.hostname == "added.duckdns.org" && $0.address == "203.0.113.9" }, "\(records)")
        #expect(!daemon.log.contains("hp-reload-"))

        daemon.process?.signal(SIGTERM)
        #expect(try await daemon.process?.wait() == .exited(0))
        for server in [echo, waiting, added] { await server.stop() }
    }

    @Test func newEchoSourcesAreAskedAndTheSameAddressIsNoChange() async throws {
        let first = try await ReplayHTTPServer()
        let second = try await ReplayHTTPServer()
        let duck = try await ReplayHTTPServer()
        for echo in [first, second] { echo.script(Array(repeating: .init(status: 200, body: "203.0.113.9\n"), count: 100)) }
        duck.script([.init(status: 200, body: "OK\n203.0.113.9\n\nUPDATED")])
        let entry = duck.duckDNSEntry(token: "hp-reload-echo-token")
        var daemon = DaemonHarness(config: Self.config(echo: [first], entries: [entry]))
        defer { daemon.remove() }
        try await daemon.start()
        let updated = await eventually(timeout: .seconds(20)) { duck.requests.count == 1 }
        try #require(updated, "\(daemon.log)")
        let askedBefore = first.requests.count

        daemon.rewriteConfig(Self.config(echo: [second], entries: [entry]))
        daemon.process?.signal(SIGHUP)
        let asked = await eventually(timeout: .seconds(20)) { !second.requests.isEmpty }
        #expect(asked, "the new echo source was not asked after the reload:\n\(daemon.log)")
        #expect(await eventually { daemon.log.contains("reloaded: applied [ip] http_ipv4\n") }, "\(daemon.log)")
        #expect(await Self.twoMoreRounds(daemon), "\(daemon.log)")
        #expect(first.requests.count == askedBefore, "the old echo source is still asked")
        // The same address from the new source: no change logged or recorded, no DDNS request.
        #expect(daemon.log.components(separatedBy: "public ipv4 address is now").count == 2, "\(daemon.log)")
        #expect(duck.requests.count == 1)
        let ip = try await daemon.homeport(["history", "ip", "--json"])
        #expect(ip.stdout.components(separatedBy: "203.0.113.9").count == 2, "\(ip.stdout)")

        daemon.process?.signal(SIGTERM)
        #expect(try await daemon.process?.wait() == .exited(0))
        for server in [first, second, duck] { await server.stop() }
    }
}
