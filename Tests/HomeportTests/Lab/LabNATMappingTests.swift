import Foundation
import Testing

/// The NAT-behaviour probe (`NATMappingProbe`, run through `homeport debug nat-mapping`) in the
/// home, against Debian's stund answering on two internet addresses, behind the real Linux NAT
/// of the lab's router: a plain masquerade (keeps the port: endpoint-independent), a
/// `masquerade random,fully-random` (a new port per destination: symmetric), and no NAT at all.
/// Issue 13.
@Suite(.serialized, .enabled(if: LabRequirements.canRun, Comment(rawValue: LabRequirements.skipMessage)))
struct LabNATMappingTests {
    /// stund's two addresses, each a STUN server on port 3478 answering from the address asked.
    static let servers = NetLabAddressPlan.stunAddresses.map { "\($0):3478" }

    static func probe(_ lab: NetLab, servers: [String] = servers, timeoutMilliseconds: Int = 3000) async throws -> LabJSON {
        let arguments = ["debug", "nat-mapping", "--timeout-ms", String(timeoutMilliseconds)] + servers.flatMap { ["--server", $0] }
        let output = try await lab.homeport(arguments)
        #expect(output.exitCode == 0, "\(output.combined)")
        return try LabJSON(parsing: output.stdout, from: "homeport \(arguments.joined(separator: " ")) (exit \(output.status))\n\(output.stderr)")
    }

    static func lines(_ report: LabJSON) -> [LabJSON] { report["servers"]?.array ?? [] }
    static func mapped(_ report: LabJSON) -> [String] { lines(report).compactMap { $0["mapped"]?.string } }

    static func setup(_ nat: NetLab.RouterNAT) -> NetLab.Setup {
        NetLab.Setup(router: .none, routerNAT: nat, stunServers: true)
    }

    @Test func plainMasqueradeKeepsThePortForEveryDestination() async throws {
        try await NetLab.with(Self.setup(.masquerade)) { lab in
            let report = try await Self.probe(lab)
            let port = try #require(report["local_port"]?.int, "\(report.text)")
            // Linux's masquerade keeps a free source port: both servers saw the home's port.
            let expected = "\(lab.publicAddress):\(port)"
            #expect(Self.mapped(report) == [expected, expected], "\(report.text)")
            #expect(Self.lines(report).map { $0["local"]?.string } == [lab.homeAddress + ":\(port)", lab.homeAddress + ":\(port)"], "\(report.text)")
            #expect(report["verdict.kind"]?.string == "endpoint-independent", "\(report.text)")
            #expect(report["verdict.mapped"]?.array?.compactMap(\.string) == [expected], "\(report.text)")
            #expect(report["verdict.summary"]?.string?.contains("can work") == true, "\(report.text)")
            #expect(report["dropped.malformed"]?.int == 0 && report["dropped.unmatched"]?.int == 0, "\(report.text)")
        }
    }

    @Test func fullyRandomMasqueradeVariesByDestination() async throws {
        try await NetLab.with(Self.setup(.masqueradeRandomPorts)) { lab in
            let report = try await Self.probe(lab)
            let mapped = Self.mapped(report)
            try #require(mapped.count == 2, "\(report.text)")
            let ports = mapped.compactMap { $0.split(separator: ":").last.flatMap { Int($0) } }
            #expect(mapped.allSatisfy { $0.hasPrefix(lab.publicAddress + ":") }, "\(report.text)")
            #expect(ports.count == 2 && ports[0] != ports[1], "the router kept one port for both servers: \(report.text)")
            #expect(report["verdict.kind"]?.string == "varies-by-destination", "\(report.text)")
            #expect(report["verdict.mapped"]?.array?.compactMap(\.string) == mapped, "\(report.text)")
            let summary = report["verdict.summary"]?.string ?? ""
            #expect(summary.contains("Mapping varies by destination") && summary.contains("fall back to the relay"), "\(summary)")
        }
    }

    @Test func withoutNATTheServersSeeTheHomeItself() async throws {
        try await NetLab.with(Self.setup(.none)) { lab in
            let report = try await Self.probe(lab)
            let port = try #require(report["local_port"]?.int, "\(report.text)")
            let home = "\(lab.homeAddress):\(port)"
            #expect(Self.mapped(report) == [home, home], "\(report.text)")
            #expect(report["verdict.kind"]?.string == "no-nat", "\(report.text)")
        }
    }

    /// The second server is an internet address where nothing listens on UDP 3478 (nginx's):
    /// one answer cannot be compared with anything.
    @Test func oneAnsweringServerIsUnknown() async throws {
        try await NetLab.with(Self.setup(.masquerade)) { lab in
            let silent = "\(NetLabAddressPlan.echoAddresses[0]):3478"
            let report = try await Self.probe(lab, servers: [Self.servers[0], silent], timeoutMilliseconds: 1600)
            let lines = Self.lines(report)
            try #require(lines.count == 2, "\(report.text)")
            #expect(lines[0]["mapped"]?.string?.hasPrefix(lab.publicAddress + ":") == true, "\(report.text)")
            // Requests at 0, 500 and 1500 ms (RFC 8489 section 6.2.1 with a 500 ms RTO).
            #expect(lines[1]["error"]?.string == "no answer to 3 requests within 1.6 seconds", "\(report.text)")
            #expect(report["verdict.kind"]?.string == "unknown", "\(report.text)")
            #expect(report["verdict.reason"]?.string == "only one of the 2 STUN servers answered, and it takes two to compare", "\(report.text)")
        }
    }
}
