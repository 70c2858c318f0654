import Config
import InternetAddress
import PortMapping
import ReachabilityCheck
import Testing

/// The router lines of `homeport check` judged from the router's listed forwards (docs/check.md, `router`).
@Suite struct RouterForwardFindingsTests {
    static let home = IPAddress(192, 168, 1, 20)
    static let other = IPAddress(192, 168, 1, 50)
    static let ports = ServerPort.all(rendezvous: .init(enabled: true, port: 21116), relay: .init(enabled: true, port: 21117))
    static var udp: ServerPort { ports.first { $0.transport == .udp }! }

    @Test func forwardToThisHostPasses() throws {
        let finding = try #require(RouterForwardFindings.finding(Self.udp, forwards: [
            RouterForward(externalPort: 21116, proto: .udp, internalClient: Self.home, internalPort: 21116),
        ], lanAddress: Self.home))
        #expect(finding.outcome == .pass)
        #expect(finding.id == "router.udp.21116")
        #expect(finding.title.contains("forwarded on the router to 192.168.1.20:21116 (UPnP listing)"), "\(finding.title)")
    }

    @Test func forwardToAnotherHostFailsNamingIt() throws {
        let finding = try #require(RouterForwardFindings.finding(Self.udp, forwards: [
            RouterForward(externalPort: 21116, proto: .tcp, internalClient: Self.home, internalPort: 21116),
            RouterForward(externalPort: 21116, proto: .udp, internalClient: Self.other, internalPort: 21116),
        ], lanAddress: Self.home))
        #expect(finding.outcome == .fail)
        #expect(finding.title.contains("the router forwards UDP 21116 to 192.168.1.50, not to this host 192.168.1.20"), "\(finding.title)")
        #expect(finding.fixes.contains { $0.contains("UDP 21116 → 192.168.1.20 port 21116") }, "\(finding.fixes)")
    }

    @Test func forwardToAnotherPortOfThisHostFails() throws {
        let finding = try #require(RouterForwardFindings.finding(Self.udp, forwards: [
            RouterForward(externalPort: 21116, proto: .udp, internalClient: Self.home, internalPort: 30000),
        ], lanAddress: Self.home))
        #expect(finding.outcome == .fail)
        #expect(finding.title.contains("to port 30000 of this host"), "\(finding.title)")
    }

    @Test func otherTransportOrDisabledForwardIsNoFinding() {
        #expect(RouterForwardFindings.finding(Self.udp, forwards: [
            RouterForward(externalPort: 21116, proto: .tcp, internalClient: Self.home, internalPort: 21116),
            RouterForward(externalPort: 21116, proto: .udp, internalClient: Self.other, internalPort: 21116, enabled: false),
        ], lanAddress: Self.home) == nil)
    }

    @Test func mapPortsOffKeepsTheUnknownLineOnlyForUnlistedPorts() {
        let findings = StatusFindings.mappings(nil, ports: Self.ports, mapPorts: false, lanAddress: Self.home, forwards: [
            RouterForward(externalPort: 21116, proto: .udp, internalClient: Self.other, internalPort: 21116),
            RouterForward(externalPort: 21117, proto: .tcp, internalClient: Self.home, internalPort: 21117),
        ])
        #expect(findings.first { $0.id == "router.udp.21116" }?.outcome == .fail)
        #expect(findings.first { $0.id == "router.tcp.21117" }?.outcome == .pass)
        let rest = findings.first { $0.id == "router.forwards" }
        #expect(rest?.outcome == .unknown)
        #expect(rest?.fixes.contains { $0.hasPrefix("UDP 21116") } == false)
        #expect(rest?.fixes.contains { $0.hasPrefix("TCP 21116") } == true)
    }

    @Test func withoutAListingMapPortsOffIsOneUnknownLine() {
        let findings = StatusFindings.mappings(nil, ports: Self.ports, mapPorts: false, lanAddress: Self.home, forwards: nil)
        #expect(findings.map(\.id) == ["router.forwards"])
        #expect(findings.first?.outcome == .unknown)
    }

    @Test func aListedForwardExplainsAPortTheDaemonCouldNotMap() {
        let findings = StatusFindings.mappings(nil, ports: Self.ports, mapPorts: true, lanAddress: Self.home, forwards: [
            RouterForward(externalPort: 21116, proto: .udp, internalClient: Self.other, internalPort: 21116),
        ])
        #expect(findings.first { $0.id == "router.udp.21116" }?.outcome == .fail)
        #expect(findings.first { $0.id == "router.tcp.21116" }?.outcome == .unknown)
    }
}
