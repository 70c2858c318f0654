import Foundation
import History
import StatusModel
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A daemon whose echo services do not answer (a closed loopback port) says so: the log and
/// `status` say that no source answered, not that sources disagree, and a `[[ddns]]` record is
/// listed from the start as waiting for an address.
@Suite struct DaemonQuietFailureTests {
    @Test func noAnsweringEchoServiceIsSaidPlainly() async throws {
        let closed = try await ReplayHTTPServer()
        let closedURL = closed.baseURL
        await closed.stop()
        let duck = try await ReplayHTTPServer()
        var daemon = DaemonHarness(config: """
            [daemon]
            log_level = "debug"
            [ip]
            http_ipv4 = ["\(closedURL)/a", "\(closedURL)/b"]
            ipv6 = false
            dns = false
            timeout = "2s"
            [router]
            enabled = false
            \(duck.duckDNSEntry(hostname: "quiet.duckdns.org", token: "hp-quiet-test-token"))
            """)
        defer { daemon.remove() }
        // In its own network namespace the closed port refuses just the same, and this host's
        // interface address (192.0.2.2 in CI, a documentation address that counts) cannot vote.
        try await daemon.start(isolatedNetwork: true)
        let checked = await eventually(timeout: .seconds(20)) {
            (try? await daemon.status())?.publicIP?.checkedAt != nil
        }
        #expect(checked, "\(daemon.log)")
        let status = try await daemon.status()
        #expect(status.publicIP?.ipv4 == nil)
        #expect(status.publicIP?.unanswered == [.ipv4])
        let record = try #require(status.ddns?.first, "the record is listed before its first attempt")
        #expect(record.hostname == "quiet.duckdns.org" && record.family == .ipv4 && record.lastOutcome == nil)
        #expect(record.waitingFor == .address)

        let text = try await daemon.homeport(["status"])
        #expect(text.stdout.contains("Public address: not known — no source answered at the last check"), "\(text.stdout)")
        #expect(!text.stdout.contains("not known yet"), "\(text.stdout)")
        #expect(text.stdout.contains("waiting for a public IPv4"), "\(text.stdout)")  // the cell wraps before "address"

        #expect(daemon.log.contains("no source answered with a usable public IPv4 address"), "\(daemon.log)")
        #expect(!daemon.log.contains("no agreement"), "\(daemon.log)")
        #expect(daemon.log.contains("IPv4 source 127.0.0.1/a (http): asked GET http://127.0.0.1:"), "\(daemon.log)")
        #expect(daemon.log.contains(": request failed"), "\(daemon.log)")
        #expect(duck.requests.isEmpty)
        daemon.process?.signal(SIGTERM)
        #expect(try await daemon.process?.wait() == .exited(0))
        await duck.stop()
    }
}
