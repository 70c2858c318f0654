import Daemon
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The daemon end to end: echo services (local servers standing in for the internet ones) tell
/// it the public address, it records the change and updates the DDNS record once.
@Suite struct DaemonDDNSTests {
    @Test func anAddressChangeUpdatesTheRecordOnce() async throws {
        let echo = try await ReplayHTTPServer()
        let duck = try await ReplayHTTPServer()
        echo.script(Array(repeating: .init(status: 200, body: "203.0.113.9\n"), count: 50))
        duck.script([.init(status: 200, body: "OK\n203.0.113.9\n\nUPDATED")])
        // Rounds without a change come every ddns_check_interval (60 s by default); 1 s here,
        // and debug logging so each round leaves a line the test can count.
        var daemon = DaemonHarness(config: """
            [daemon]
            ddns_check_interval = "1s"
            log_level = "debug"
            [ip]
            http_ipv4 = ["\(echo.baseURL)/a", "\(echo.baseURL)/b"]
            ipv6 = false
            dns = false
            [router]
            enabled = false
            \(duck.duckDNSEntry(token: "hp-daemon-test-token"))
            """)
        defer { daemon.remove() }
        try await daemon.start()
        let updated = await eventually(timeout: .seconds(20)) {
            (try? await daemon.status())?.ddns?.first?.address == "203.0.113.9"
        }
        #expect(updated, "\(daemon.log)")
        let status = try await daemon.status()
        #expect(status.publicIP?.ipv4 == "203.0.113.9")
        #expect(status.publicIP?.verdict != nil)
        #expect(duck.requests.count == 1)
        #expect(duck.requests.first?.query["ip"] == "203.0.113.9")
        // Later rounds see the same address and send nothing: wait until at least two more
        // rounds have run (counted from the log), not merely for some time to pass.
        let roundsBefore = daemon.log.components(separatedBy: "ddns: round done").count - 1
        let laterRounds = await eventually(timeout: .seconds(20)) {
            daemon.log.components(separatedBy: "ddns: round done").count - 1 >= roundsBefore + 2
        }
        #expect(laterRounds, "no later DDNS rounds ran: \(daemon.log)")
        #expect(duck.requests.count == 1)
        #expect(!daemon.log.contains("hp-daemon-test-token"))
        daemon.process?.signal(SIGTERM)
        #expect(try await daemon.process?.wait() == .exited(0))
        await echo.stop()
        await duck.stop()
    }
}
