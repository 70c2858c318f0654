import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `[router] map_ports = true` behind a router that speaks none of PCP, NAT-PMP and UPnP
/// (issue 12, defect 7): the gateway comes from the home's default route, one probe round finds
/// nobody answering, and `status --json` lists the forwards to make by hand to the home's LAN
/// address, while the log says so once.
extension LabScenarioTests {
    @Test func aRouterWithoutMappingProtocolsGivesTheForwardsByHand() async throws {
        try await NetLab.with(.init(router: .none)) { lab in
            let port = TestPorts.random()
            let config = lab.writeHomeportConfig(mapPorts: true, rendezvousPort: port)
            let daemon = try await lab.startHomeport(["run", "--config", config])
            var status: LabJSON?
            let listed = try await eventually(timeout: .seconds(20), every: .milliseconds(250)) {
                guard daemon.isRunning else { return true }
                let output = try await lab.homeport(["status", "--json", "--config", config])
                status = try? LabJSON(parsing: output.stdout, from: "homeport status --json")
                return status?["manual_port_forwards"]?.array?.count == 4
            }
            try #require(daemon.isRunning, "the daemon ended:\n\(daemon.log)")
            #expect(listed, "\(status?.text ?? "no status")\n\(daemon.log)")
            let mappings = status?["port_mappings"]?.array ?? []
            #expect(mappings.count == 4 && mappings.allSatisfy { $0["state"]?.string == "unavailable" }, "\(status?.text ?? "")")
            let forwards = (status?["manual_port_forwards"]?.array ?? []).map {
                "\($0["transport"]?.string ?? "?") \($0["external_port"]?.int ?? 0) -> \($0["internal_address"]?.string ?? "?"):\($0["internal_port"]?.int ?? 0)"
            }
            let home = lab.homeAddress
            #expect(forwards == ["tcp \(port - 1) -> \(home):\(port - 1)", "tcp \(port) -> \(home):\(port)", "udp \(port) -> \(home):\(port)",
                                 "tcp \(port + 2) -> \(home):\(port + 2)"], "\(forwards)")
            let reason = mappings.first?["reason"]?.string ?? ""
            #expect(reason.hasPrefix("no router answered PCP, NAT-PMP or UPnP at \(lab.routerLANAddress)"), "\(reason)")
            let logged = await eventually(timeout: .seconds(5)) { daemon.log.contains("4 of 4 port(s) not mapped") }
            #expect(logged && daemon.log.components(separatedBy: "port(s) not mapped").count == 2, "one warning:\n\(daemon.log)")
            #expect(!daemon.log.contains("did not map"), "\(daemon.log)")

            daemon.signal(SIGTERM)
            #expect(await daemon.wait(timeout: .seconds(15)) == .exited(0), "\(daemon.log)")
        }
    }
}
