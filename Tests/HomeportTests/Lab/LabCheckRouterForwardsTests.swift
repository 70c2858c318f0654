import Foundation
import ReachabilityCheck
import StatusModel
import Testing

/// Issue 13: `homeport check` reads the router's own forwards (UPnP GetGenericPortMappingEntry),
/// so forwards homeport did not make count: one to this host passes, one of a server port to
/// another LAN address fails and names it. miniupnpd runs with secure_mode off so that the test
/// can make the second one with upnpc, as a user on the router's page could.
extension LabScenarioTests {
    /// Failed before the listing: both ports were one `router.forwards` unknown line.
    @Test func checkReadsTheRoutersForwardsMadeByHand() async throws {
        try await Self.withCheckLab(NetLab.Setup(routerSecureMode: false), mapPorts: false) { lab, config, port, _ in
            let lan = lab.homeAddress.split(separator: ".").dropLast().joined(separator: ".")
            let other = "\(lan).50"
            _ = try await lab.upnpc(["-e", "by hand", "-a", lab.homeAddress, String(port), String(port), "TCP"])
            _ = try await lab.upnpc(["-e", "elsewhere", "-a", other, String(port), String(port), "UDP"])
            let table = try await lab.upnpMappings()
            #expect(table.contains(.init(transport: "TCP", externalPort: port, internalAddress: lab.homeAddress, internalPort: port)), "\(table)")
            #expect(table.contains(.init(transport: "UDP", externalPort: port, internalAddress: other, internalPort: port)), "\(table)")

            let (report, output) = try await Self.check(lab, config: config)
            let router = report.findings.filter { $0.topic == .router }
            let tcp = try #require(router.first { $0.id == "router.tcp.\(port)" }, "\(output.stdout)")
            #expect(tcp.outcome == .pass)
            #expect(tcp.title.contains("forwarded on the router to \(lab.homeAddress):\(port) (UPnP listing)"), "\(tcp.title)")
            let udp = try #require(router.first { $0.id == "router.udp.\(port)" }, "\(output.stdout)")
            #expect(udp.outcome == .fail)
            #expect(udp.title.contains("the router forwards UDP \(port) to \(other), not to this host \(lab.homeAddress)"), "\(udp.title)")
            #expect(udp.fixes.contains { $0.contains("UDP \(port) → \(lab.homeAddress) port \(port)") }, "\(udp.fixes)")
            // The ports nobody forwarded stay on the one unknown line, with their rows.
            let rest = try #require(router.first { $0.id == "router.forwards" }, "\(output.stdout)")
            #expect(rest.outcome == .unknown)
            #expect(!rest.fixes.contains { $0.hasPrefix("UDP \(port) ") || $0.hasPrefix("TCP \(port) ") }, "\(rest.fixes)")
            #expect(output.exitCode == 1 && report.conclusion == .blocked, "\(output.stdout)")
        }
    }
}
