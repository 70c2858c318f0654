import Foundation
import StatusModel
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `[router] map_ports = true` with a router that answers nothing (issue 12, defect 7): every
/// port is unavailable after one probe round, `status` shows the forwards to make by hand
/// (every port of the built-in servers as configured, to this host's address), and the log says
/// so once instead of a line per port and protocol.
@Suite struct DaemonSilentRouterTests {
    @Test func aSilentRouterGivesTheManualForwardTableAtOnce() async throws {
        // Ports of its own: the daemon runs in a network namespace with only loopback, where
        // 127.0.0.1 stands in for a router that speaks none of PCP, NAT-PMP and UPnP.
        var daemon = DaemonHarness(config: """
            [daemon]
            log_level = "debug"

            [rendezvous]
            port = 31116

            [relay]
            port = 31117

            [router]
            gateway = "127.0.0.1"
            map_ports = true
            """, builtins: true)
        defer { daemon.remove() }
        try await daemon.start(isolatedNetwork: true)
        // One probe round takes the probe timeout (1.5 s); one port after another took 6 s a
        // port, 36 s for the six.
        var status: DaemonStatus?
        let unavailable = await eventually(timeout: .seconds(20)) {
            status = try? await daemon.status()
            let mappings = status?.portMappings ?? []
            return mappings.count == 6 && mappings.allSatisfy { $0.state == "unavailable" } && status?.manualPortForwards != nil
        }
        #expect(unavailable, "\(String(describing: status?.portMappings))\n\(daemon.log)")
        let reasons = Set((status?.portMappings ?? []).compactMap(\.reason))
        #expect(reasons == ["no router answered PCP, NAT-PMP or UPnP at 127.0.0.1 (asked in parallel, 1.5 s each)"], "\(reasons)")

        let forwards = try #require(status?.manualPortForwards)
        let rows = forwards.map { "\($0.service) \($0.transport) \($0.externalPort) -> \($0.internalAddress):\($0.internalPort)" }
        #expect(rows == [
            "rendezvous tcp 31115 -> 127.0.0.1:31115", "rendezvous tcp 31116 -> 127.0.0.1:31116", "rendezvous udp 31116 -> 127.0.0.1:31116",
            "relay tcp 31117 -> 127.0.0.1:31117", "rendezvous tcp 31118 -> 127.0.0.1:31118", "relay tcp 31119 -> 127.0.0.1:31119",
        ], "\(rows)")

        let text = try await daemon.homeport(["status"])
        let lines = text.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(lines.contains("EXTERNAL PORT PROTOCOL INTERNAL IP INTERNAL PORT FOR"), "\(text.stdout)")
        #expect(lines.contains("31115 TCP 127.0.0.1 31115 homeport rendezvous NAT test"), "\(text.stdout)")
        #expect(lines.contains("31119 TCP 127.0.0.1 31119 homeport relay WebSocket"), "\(text.stdout)")

        // The log: one warning with the table once the six are known, and nothing per port,
        // also after the router was asked again 30 s later (the next wait doubles).
        let logged = await eventually(timeout: .seconds(5)) { daemon.log.contains("6 of 6 port(s) not mapped") }
        #expect(logged, "\(daemon.log)")
        let askedAgain = await eventually(timeout: .seconds(45)) { daemon.log.contains("6 port(s) unavailable, asking again in 60 s") }
        #expect(askedAgain, "\(daemon.log)")
        let log = daemon.log.split(separator: "\n")
        #expect(log.filter { $0.contains("port(s) unavailable, asking again in") }.count == 2, "one probe round each time:\n\(daemon.log)")
        #expect(log.filter { $0.contains("port(s) not mapped") }.count == 1, "\(daemon.log)")
        #expect(log.filter { $0.contains("31117") && $0.contains("homeport relay relay") }.count == 1, "the table once:\n\(daemon.log)")
        #expect(!log.contains { $0.contains("did not map") || $0.contains("portmap: tcp") || $0.contains("portmap: udp") }, "\(daemon.log)")
        daemon.process?.signal(SIGTERM)
        #expect(try await daemon.process?.wait() == .exited(0))
    }
}
