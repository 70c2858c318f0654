import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `[router]` changed by a reload (issue 12: it took a restart): `map_ports` turned on and off,
/// and a new gateway. The router's table, as miniupnpd holds it, gains the rendezvous server's
/// mappings, keeps them across a change of router client, and loses them again.
extension LabScenarioTests {
    @Test func aReloadAppliesMapPortsAndANewGateway() async throws {
        try await NetLab.with { lab in
            let port = TestPorts.random()
            let config = lab.writeHomeportConfig(mapPorts: false, rendezvousPort: port)
            let daemon = try await lab.startHomeport(["run", "--config", config])
            let running = await eventually(timeout: .seconds(30), every: .milliseconds(250)) {
                !daemon.isRunning || daemon.log.contains(" running (pid ")
            }
            try #require(running && daemon.isRunning, "the daemon did not start:\n\(daemon.log)")
            let wanted = Self.rendezvousMappings(port)

            lab.writeHomeportConfig(mapPorts: true, rendezvousPort: port)
            daemon.signal(SIGHUP)
            _ = try await Self.waitUntilMapped(wanted, lab: lab, daemon: daemon)
            #expect(daemon.log.contains("reloaded: unchanged rendezvous; applied [router] map_ports\n"), "\(daemon.log)")

            // A gateway named in the config: a new router client. The old one removes its
            // mappings first, then the new one maps them again.
            let path = lab.writeHomeportConfig(mapPorts: true, rendezvousPort: port)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try text.replacingOccurrences(of: "map_ports = true", with: "map_ports = true\ngateway = \"\(lab.routerLANAddress)\"")
                .write(toFile: path, atomically: true, encoding: .utf8)
            daemon.signal(SIGHUP)
            let remapped = await eventually(timeout: .seconds(30), every: .milliseconds(250)) {
                daemon.log.contains("applied [router] gateway\n")
            }
            #expect(remapped, "\(daemon.log)")
            _ = try await Self.waitUntilMapped(wanted, lab: lab, daemon: daemon)
            let afterReload = daemon.log.components(separatedBy: "SIGHUP: reloading").last ?? ""
            let removedAt = afterReload.range(of: "portmap: removed ", options: .backwards)
            let mappedAt = afterReload.range(of: "portmap: mapped ")
            #expect(afterReload.components(separatedBy: "portmap: removed ").count - 1 == wanted.count, "\(afterReload)")
            if let removedAt, let mappedAt {
                #expect(removedAt.lowerBound < mappedAt.lowerBound, "the new client mapped before the old one removed its mappings:\n\(afterReload)")
            } else {
                Issue.record("no removal or no new mapping after the gateway reload:\n\(afterReload)")
            }

            lab.writeHomeportConfig(mapPorts: false, rendezvousPort: port)
            daemon.signal(SIGHUP)
            var table: [NetLab.UPnPMapping] = []
            let removed = try await eventually(timeout: .seconds(30), every: .milliseconds(500)) {
                table = try await lab.upnpMappings().filter { mapping in
                    mapping.internalAddress == lab.homeAddress && wanted.contains { $0.transport == mapping.transport && $0.port == mapping.internalPort }
                }
                return table.isEmpty
            }
            #expect(removed, "mappings left after map_ports = false and a reload: \(table)\n\(daemon.log)")
            #expect(daemon.isRunning, "\(daemon.log)")

            daemon.signal(SIGTERM)
            #expect(await daemon.wait(timeout: .seconds(15)) == .exited(0), "\(daemon.log)")
        }
    }
}
