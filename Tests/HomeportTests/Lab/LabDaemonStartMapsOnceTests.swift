import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The first public address the daemon learns at start is no change of the router's WAN: it
/// must not make the daemon map again what it is mapping anyway. Against the lab's miniupnpd
/// (2.3.1, nftables) such a PCP re-map of TCP P alone removed the forward rule of UDP P
/// (see `NetworkTasks.addressChanged`), so datagrams from outside stopped at the router.
extension LabScenarioTests {
    @Test func theFirstPublicAddressLearnedAtStartMapsNothingAgain() async throws {
        try await NetLab.with { lab in
            let port = TestPorts.random()
            let relayPort = TestPorts.random()
            let config = Self.contactConfig(lab, rendezvousPort: port, relayPort: relayPort)
            let daemon = try await lab.startHomeport(["run", "--config", config])
            _ = try await Self.externalPort(lab, daemon: daemon, "UDP", port)
            _ = try await Self.externalPort(lab, daemon: daemon, "TCP", relayPort + 2)
            let learned = await eventually(timeout: .seconds(30), every: .milliseconds(300)) {
                daemon.log.contains("public ipv4 address is now")
            }
            #expect(learned, "\(daemon.log)")
            // The keeper wakes within a second of a re-map request; give a loaded machine more.
            try await Task.sleep(for: .seconds(4))

            let router = (try? String(contentsOfFile: lab.dir.file("miniupnpd.log"), encoding: .utf8)) ?? ""
            let replaced = router.split(separator: "\n").filter { $0.contains("already redirected") }
            #expect(replaced.isEmpty, "mapped again after the start:\n\(replaced.joined(separator: "\n"))\n\(daemon.log)")
            let forward = try await lab.mustExec(.router, ["nft", "list", "chain", "inet", "filter", "miniupnpd"])
            let udpRule = forward.split(separator: "\n").contains { $0.contains("th dport \(port) ") && $0.contains("@nh,72,8 0x11 ") }
            #expect(udpRule, "no forward rule for UDP \(port):\n\(forward)")

            daemon.signal(SIGTERM)
            #expect(await daemon.wait(timeout: .seconds(15)) == .exited(0), "\(daemon.log)")
        }
    }
}
