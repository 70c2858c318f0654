import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `[router] map_ports = true`: the daemon maps the rendezvous server's ports while it runs,
/// listens for the router's announcements on one socket, and removes the mappings when it stops.
extension LabScenarioTests {
    @Test func theDaemonMapsTheRendezvousPortsWhileItRuns() async throws {
        try await NetLab.with { lab in
            let port = TestPorts.random()
            let config = lab.writeHomeportConfig(mapPorts: true, rendezvousPort: port)
            let daemon = try await lab.startHomeport(["run", "--config", config])
            // hbbs: UDP+TCP port, TCP port-1 (NAT test), TCP port+2 (WebSocket).
            let wanted: [(transport: String, port: Int)] = [("TCP", port), ("UDP", port), ("TCP", port - 1), ("TCP", port + 2)]

            var table: [NetLab.UPnPMapping] = []
            let mapped = try await eventually(timeout: .seconds(30), every: .milliseconds(500)) {
                guard daemon.isRunning else { return true }
                table = try await lab.upnpMappings().filter { $0.internalAddress == lab.homeAddress }
                return wanted.allSatisfy { want in table.contains { $0.transport == want.transport && $0.internalPort == want.port } }
            }
            try #require(daemon.isRunning, "the daemon ended:\n\(daemon.log)")
            #expect(mapped, "router table: \(table)\n\(daemon.log)")

            let tcpMapping = try #require(table.first { $0.transport == "TCP" && $0.internalPort == port })
            let reachable = try await eventually(timeout: .seconds(10), every: .milliseconds(250)) {
                try await lab.tcpConnects(to: lab.routerWANAddress, port: tcpMapping.externalPort)
            }
            #expect(reachable, "no TCP connection from the internet to \(lab.routerWANAddress):\(tcpMapping.externalPort)\n\(daemon.log)")

            // One owner of the router (issue 11): the port mapping and the address monitor share
            // one announcement listener instead of opening one each.
            var listeners: [Substring] = []
            _ = try await eventually(timeout: .seconds(10), every: .milliseconds(200)) {
                listeners = try await lab.exec(.home, ["ss", "-Hlunp", "sport = :5350"], timeout: 10).stdout.split(separator: "\n")
                return !listeners.isEmpty
            }
            #expect(listeners.count == 1, "announcement listener sockets on UDP 5350 in the home: \(listeners)\n\(daemon.log)")

            daemon.signal(SIGTERM)
            #expect(await daemon.wait(timeout: .seconds(15)) == .exited(0), "\(daemon.log)")
            let homeMappings = try await lab.upnpMappings().filter { $0.internalAddress == lab.homeAddress }
            #expect(homeMappings.isEmpty, "mappings left after SIGTERM: \(homeMappings)")
        }
    }
}
