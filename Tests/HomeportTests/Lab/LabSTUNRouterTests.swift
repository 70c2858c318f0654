import Foundation
import Testing

/// Routers that learn their external address over STUN (miniupnpd 2.3.1 `ext_perform_stun`)
/// behind a carrier NAT. They report the carrier NAT's public outside address, so their word
/// alone says "public"; the verdict must still be `cgnat`, from the 100.64.0.0/10 hop on the
/// path, with the evidence listed. Issue 11, defect 3.
@Suite(.serialized, .enabled(if: LabRequirements.canRun, Comment(rawValue: LabRequirements.skipMessage)))
struct LabSTUNRouterTests {
    static func evidence(_ report: LabJSON) -> [String] {
        report["verdict.evidence"]?.array?.compactMap(\.string) ?? []
    }

    static func carrierHopLine(_ lab: NetLab) throws -> String {
        let hop = try #require(lab.plan.upstreamInside?.address)
        return "hop 2 is \(hop) (carrier-grade NAT range 100.64.0.0/10, RFC 6598)"
    }

    // MARK: The lab's STUN routers, seen by independent clients

    /// Behind an endpoint-dependent carrier NAT the STUN test misses three of its four answers:
    /// miniupnpd reports the outside address and refuses mappings.
    @Test func stunRouterBehindAFilteringCarrierNATReportsTheOutsideAddressAndRefuses() async throws {
        try await NetLab.with(.init(upstream: .carrierNAT, router: .miniupnpdWithSTUN)) { lab in
            #expect(lab.routerWANAddress.hasPrefix("100."))
            #expect(try await lab.upnpExternalAddress() == lab.publicAddress, "\(lab.daemonLogs)")
            let port = TestPorts.random()
            let refused = try await lab.upnpc(["-e", "lab", "-a", lab.homeAddress, String(port), String(port), "TCP"])
            #expect(refused.combined.contains("501"), "\(refused.combined)")
        }
    }

    /// Behind an endpoint-independent carrier NAT the STUN test gets all four answers: miniupnpd
    /// takes the carrier NAT for a 1:1 NAT and grants a mapping nobody outside can reach.
    @Test func naiveSTUNRouterGrantsAMappingTheInternetCannotReach() async throws {
        try await NetLab.with(.init(upstream: .carrierNATEndpointIndependent, router: .miniupnpdWithSTUN)) { lab in
            #expect(try await lab.upnpExternalAddress() == lab.publicAddress, "\(lab.daemonLogs)")
            let port = TestPorts.random()
            try await lab.startEchoListeners(port: port)
            let granted = try await lab.upnpc(["-e", "lab", "-a", lab.homeAddress, String(port), String(port), "TCP"])
            #expect(granted.exitCode == 0 && !granted.combined.contains("failed"), "\(granted.combined)")
            #expect(try await lab.upnpMappings().contains { $0.externalPort == port }, "\(granted.combined)")
            #expect(try await lab.tcpEchoes(to: lab.publicAddress, port: port) == false,
                    "the carrier NAT let an unsolicited connection through; the lab's naive-STUN case is not what it claims")
        }
    }

    // MARK: Verdicts

    /// `homeport ip --json` in the home behind a STUN router, checked for what every such case
    /// shares: verdict `cgnat`, the router reporting the outside address as its own, the carrier
    /// hop listed. `more` checks the rest with the report, its evidence and the outside address.
    static func expectCGNATFromTheHop(_ setup: NetLab.Setup,
                                      _ more: @Sendable (LabJSON, [String], String) throws -> Void) async throws {
        try await NetLab.with(setup) { lab in
            let report = try await LabScenarioTests.ipReport(lab)
            let evidence = evidence(report)
            #expect(report["verdict.kind"]?.string == "cgnat", "\(report.text)")
            #expect(report["router.external_address"]?.string == lab.publicAddress, "\(report.text)")
            #expect(evidence.contains("the internet sees IPv4 \(lab.publicAddress)"), "\(evidence)")
            #expect(evidence.contains(try carrierHopLine(lab)), "\(evidence)")
            try more(report, evidence, lab.publicAddress)
        }
    }

    @Test func stunRouterThatRefusesIsCGNATWithTheHopAndTheRefusalListed() async throws {
        try await Self.expectCGNATFromTheHop(.init(upstream: .carrierNAT, router: .miniupnpdWithSTUN)) { report, evidence, outside in
            // PCP refuses without naming an address; NAT-PMP's address request still answers.
            #expect(evidence.contains("the router (natpmp) reports WAN address \(outside) (public), the address the internet sees"), "\(evidence)")
            #expect(evidence.contains("the router refused a test mapping over pcp: NO_RESOURCES (code 8)"), "\(evidence)")
            #expect(!evidence.contains { $0.contains("granted") }, "\(evidence)")
            #expect(report["verdict.summary"]?.string?.contains("\(outside), the address the router reports, is the carrier NAT's outside address") == true,
                    "\(report.text)")
        }
    }

    @Test func naiveSTUNRouterThatGrantsIsStillCGNATFromTheHop() async throws {
        try await Self.expectCGNATFromTheHop(.init(upstream: .carrierNATEndpointIndependent, router: .miniupnpdWithSTUN)) { report, evidence, outside in
            #expect(report["router.mapping_granted"]?.string == "pcp", "\(report.text)")
            #expect(evidence.contains("the router (pcp) reports WAN address \(outside) (public), the address the internet sees"), "\(evidence)")
            #expect(evidence.contains("the router granted a test mapping over pcp"), "\(evidence)")
            #expect(!evidence.contains { $0.contains("refused") }, "\(evidence)")
            let advice = report["verdict.advice"]?.array?.compactMap(\.string).joined(separator: " ") ?? ""
            #expect(advice.contains("Do not count on ports your router maps") && advice.contains("nobody outside can reach"), "\(advice)")
        }
    }
}
