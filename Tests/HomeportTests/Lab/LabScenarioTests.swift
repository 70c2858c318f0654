import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 5's scenarios, end to end: the built `homeport` runs in the lab's home behind a real
/// miniupnpd and is judged by what the lab's internet sees. Heavy, so one at a time.
@Suite(.serialized, .enabled(if: LabRequirements.canRun, Comment(rawValue: LabRequirements.skipMessage)))
struct LabScenarioTests {
    /// `homeport ip --json` in the lab's home.
    static func ipReport(_ lab: NetLab) async throws -> LabJSON {
        let config = lab.writeHomeportConfig()
        let output = try await lab.homeport(["ip", "--json", "--config", config])
        return try LabJSON(parsing: output.stdout, from: "homeport ip --json (exit \(output.status))\n\(output.stderr)")
    }

    static func protocols(_ report: LabJSON) -> [String] {
        report["router.protocols"]?.array?.compactMap(\.string) ?? []
    }

    @Test func publicWANIsPublic() async throws {
        try await NetLab.with { lab in
            let report = try await Self.ipReport(lab)
            let wan = lab.routerWANAddress
            #expect(report["verdict.kind"]?.string == "public", "\(report.text)")
            #expect(report["ipv4.address"]?.string == wan, "\(report.text)")
            #expect(report["router.external_address"]?.string == wan, "\(report.text)")
            // miniupnpd speaks all three.
            #expect(Set(Self.protocols(report)) == ["upnp", "natpmp", "pcp"], "\(report.text)")
            // Honest for a router that holds its address: a granted mapping, no carrier hop.
            let evidence = LabSTUNRouterTests.evidence(report)
            #expect(evidence.contains("the router (pcp) reports WAN address \(wan) (public), the address the internet sees"), "\(evidence)")
            #expect(evidence.contains("the router granted a test mapping over pcp"), "\(evidence)")
            #expect(!evidence.contains { $0.contains("carrier-grade NAT") || $0.contains("refused") }, "\(evidence)")
        }
    }

    @Test func carrierNATIsCGNAT() async throws {
        try await NetLab.with(.init(upstream: .carrierNAT)) { lab in
            let report = try await Self.ipReport(lab)
            #expect(report["verdict.kind"]?.string == "cgnat", "\(report.text)")
            #expect(report["ipv4.address"]?.string == lab.publicAddress, "\(report.text)")
            // miniupnpd 2.3.1 with a 100.64/10 WAN answers, with an empty external address.
            #expect(report["router.external_address"]?.string == "", "\(report.text)")
            #expect(Self.protocols(report).contains("upnp"), "\(report.text)")
            // The strict router: empty address, every mapping refused, the carrier NAT at hop 2.
            let evidence = LabSTUNRouterTests.evidence(report)
            #expect(evidence.contains { $0.hasSuffix("reports an empty WAN address, as routers holding a reserved address do") }, "\(evidence)")
            #expect(evidence.contains("the router refused a test mapping over pcp: NO_RESOURCES (code 8)"), "\(evidence)")
            #expect(evidence.contains(try LabSTUNRouterTests.carrierHopLine(lab)), "\(evidence)")
        }
    }

    @Test func routerBehindAnotherNATIsDoubleNAT() async throws {
        try await NetLab.with(.init(upstream: .upstreamRouter)) { lab in
            let report = try await Self.ipReport(lab)
            #expect(report["verdict.kind"]?.string == "double-nat", "\(report.text)")
            #expect(report["ipv4.address"]?.string == lab.publicAddress, "\(report.text)")
            #expect(report["router.external_address"]?.string == "", "\(report.text)")
        }
    }

    @Test func routerWithoutPortMappingProtocolsGivesNoRouterInfo() async throws {
        try await NetLab.with(.init(router: .none)) { lab in
            let report = try await Self.ipReport(lab)
            #expect(report["verdict.kind"]?.string == "no-router-info", "\(report.text)")
            #expect(report["ipv4.address"]?.string == lab.routerWANAddress, "\(report.text)")
            #expect(report["router.external_address"]?.isNull == true, "\(report.text)")
            #expect(Self.protocols(report).isEmpty, "\(report.text)")
        }
    }

    @Test func routerWithAPublicAddressBehindANATIsUpstreamNAT() async throws {
        try await NetLab.with(.init(upstream: .publicAddressNAT)) { lab in
            let report = try await Self.ipReport(lab)
            #expect(report["verdict.kind"]?.string == "upstream-nat", "\(report.text)")
            #expect(report["ipv4.address"]?.string == lab.publicAddress, "\(report.text)")
            #expect(report["router.external_address"]?.string == lab.routerWANAddress, "\(report.text)")
            #expect(lab.publicAddress != lab.routerWANAddress)
        }
    }

    // MARK: WAN change

    /// `homeport history ip --json`, as parsed records (empty while there is no history).
    static func ipHistory(_ lab: NetLab, config: String) async throws -> [LabJSON] {
        let output = try await lab.homeport(["history", "ip", "--json", "--config", config])
        guard output.exitCode == 0 else { return [] }
        return try LabJSON(parsing: output.stdout, from: "homeport history ip --json").array ?? []
    }

    /// The router is polled only every 5 minutes here, so the change can only be seen through
    /// miniupnpd's NAT-PMP/PCP announcement, which the daemon listens for.
    @Test func aWANChangeIsRecordedWithinSeconds() async throws {
        try await NetLab.with { lab in
            let config = lab.writeHomeportConfig(routerInterval: "5m")
            let daemon = try await lab.startHomeport(["run", "--config", config])
            let initial = lab.routerWANAddress
            let sawInitial = try await eventually(timeout: .seconds(30), every: .milliseconds(250)) {
                guard daemon.isRunning else { return true }
                return try await Self.ipHistory(lab, config: config).contains { $0["address"]?.string == initial }
            }
            try #require(daemon.isRunning, "the daemon ended:\n\(daemon.log)")
            try #require(sawInitial, "history never showed the initial address \(initial):\n\(daemon.log)")

            let new = lab.anotherWANAddress()
            let changedAt = ContinuousClock.now
            try await lab.changeWANAddress(to: new)
            var record: LabJSON?
            let recorded = try await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
                record = try await Self.ipHistory(lab, config: config).first { $0["address"]?.string == new }
                return record != nil
            }
            let elapsed = ContinuousClock.now - changedAt
            #expect(recorded, "\(new) not in history 30 s after the change:\n\(daemon.log)")
            if let record {
                let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
                print("lab: WAN change recorded after \(milliseconds) ms")
                #expect(record["source"]?.string?.isEmpty == false, "\(record.text)")
                #expect(record["source"]?.string?.contains("announcement") == true, "\(record.text)")
                #expect(record["family"]?.string?.contains("4") == true, "\(record.text)")
                #expect(Self.isISO8601(record["time"]?.string), "\(record.text)")
            }

            daemon.signal(SIGTERM)
            #expect(await daemon.wait(timeout: .seconds(15)) == .exited(0), "\(daemon.log)")
        }
    }

    static func isISO8601(_ text: String?) -> Bool {
        guard let text else { return false }
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return plain.date(from: text) != nil || fractional.date(from: text) != nil
    }
}
