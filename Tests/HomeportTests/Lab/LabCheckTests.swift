import Foundation
import ReachabilityCheck
import StatusModel
import Testing

/// Issue 13: `homeport check` in the home behind a real miniupnpd, with the outside probe
/// (`homeport probe serve`) on the lab's internet. What the report says about each port is
/// what the probe found from outside, and the exit code follows.
extension LabScenarioTests {
    static let probeAddress = NetLabAddressPlan.echoAddresses[0]
    static let probePort = 21120

    /// The daemon with homeport's mappings on a public-WAN router, and the probe on the
    /// internet; `check` runs once every port is mapped.
    /// `mapPorts` false: the daemon maps nothing (`[router] map_ports = false`) and waits for no mapping.
    static func withCheckLab(_ setup: NetLab.Setup = NetLab.Setup(), mappingsGranted: Bool = true, mapPorts: Bool = true,
                             _ body: (NetLab, _ config: String, _ rendezvousPort: Int, _ relayPort: Int) async throws -> Void) async throws {
        try await NetLab.with(setup) { lab in
            let port = TestPorts.random()
            let relayPort = TestPorts.random()
            let config = lab.dir.write("check.toml", """
            [daemon]
            state_dir = "\(lab.homeportStateDirectory)"

            [ip]
            http_ipv4 = [\(NetLabAddressPlan.echoURLs.map { "\"\($0)\"" }.joined(separator: ", "))]
            http_ipv6 = []
            dns = false
            ipv6 = false
            router_interval = "2s"

            [router]
            map_ports = \(mapPorts)

            [check]
            stun = []
            probe = "http://\(probeAddress):\(probePort)"

            [rendezvous]
            port = \(port)

            [relay]
            port = \(relayPort)
            """)
            let probe = try await lab.startProcess("probe", in: .internet, [
                NetLab.homeportBinary, "probe", "serve", "--listen", "\(probeAddress):\(probePort)", "--port-timeout-ms", "1500",
            ])
            try await lab.waitForListener(in: .internet, .tcp, port: probePort, process: probe)
            let daemon = try await lab.startHomeport(["run", "--config", config])
            if mappingsGranted && mapPorts {
                for (transport, number) in [("TCP", port - 1), ("TCP", port), ("UDP", port), ("TCP", port + 2), ("TCP", relayPort), ("TCP", relayPort + 2)] {
                    _ = try await Self.externalPort(lab, daemon: daemon, transport, number)
                }
            }
            // The daemon has agreed on the public address (the check compares with it).
            _ = try await eventually(timeout: .seconds(20), every: .milliseconds(500)) {
                let output = try await lab.homeport(["status", "--json", "--config", config])
                let status = try? StatusJSON.decoder().decode(DaemonStatus.self, from: Data(output.stdout.utf8))
                return status?.publicIP?.ipv4 != nil && status?.publicIP?.verdict != nil
            }
            try await body(lab, config, port, relayPort)
        }
    }

    static func check(_ lab: NetLab, config: String) async throws -> (report: CheckReport, output: Homeport.Output) {
        let output = try await lab.homeport(["check", "--json", "--ipv4", "--config", config], timeout: 60)
        let report = try StatusJSON.decoder().decode(CheckReport.self, from: Data(output.stdout.utf8))
        return (report, output)
    }

    @Test func checkFindsEveryPortOpenFromOutsideAndExitsZero() async throws {
        try await Self.withCheckLab { lab, config, port, relayPort in
            let (report, output) = try await Self.check(lab, config: config)
            let outside = report.findings.filter { $0.topic == .outside }
            #expect(outside.map(\.id) == ["tcp.\(port - 1)", "tcp.\(port)", "udp.\(port)", "tcp.\(port + 2)", "tcp.\(relayPort)", "tcp.\(relayPort + 2)"].map { "outside." + $0 },
                    "\(output.stdout)")
            #expect(outside.allSatisfy { $0.outcome == .pass }, "\(output.stdout)")
            #expect(report.findings.first { $0.id == "verdict" }?.outcome == .pass, "\(output.stdout)")
            #expect(report.findings.filter { $0.topic == .listener }.allSatisfy { $0.outcome == .pass }, "\(output.stdout)")
            #expect(report.findings.filter { $0.topic == .router }.allSatisfy { $0.outcome == .pass }, "\(output.stdout)")
            #expect(!report.findings.contains { $0.outcome == .fail }, "\(output.stdout)")
            #expect(report.conclusion == .reachable && output.exitCode == 0, "\(output.stdout)\(output.stderr)\n\(lab.daemonLogs)")

            // The same as text: one line per check, and the client setup once the servers are healthy.
            let text = try await lab.homeport(["check", "--ipv4", "--config", config], timeout: 60)
            #expect(text.exitCode == 0)
            #expect(text.stdout.contains("✔ UDP \(port) (ID server registrations) open from outside"), "\(text.stdout)")
            #expect(text.stdout.contains("Outside clients can reach every enabled server port."), "\(text.stdout)")
            #expect(text.stdout.contains("ID server     \(lab.publicAddress)"), "\(text.stdout)")
        }
    }

    @Test func checkNamesTheOnePortTheRouterDropsWithItsFix() async throws {
        try await Self.withCheckLab { lab, config, port, _ in
            // The router's firewall drops UDP to the ID server's port; TCP still passes.
            try await lab.mustExec(.router, ["nft", "add table inet check_test"])
            try await lab.mustExec(.router, ["nft", "add chain inet check_test forward { type filter hook forward priority -10; policy accept; }"])
            try await lab.mustExec(.router, ["nft", "add rule inet check_test forward udp dport \(port) drop"])
            let (report, output) = try await Self.check(lab, config: config)
            let failed = report.findings.filter { $0.outcome == .fail }
            #expect(failed.map(\.id) == ["outside.udp.\(port)"], "\(output.stdout)")
            let udp = try #require(failed.first)
            #expect(udp.title.contains("filtered from outside"), "\(udp)")
            #expect(udp.fixes.contains { $0.contains("UDP \(port) → \(lab.homeAddress) port \(port)") }, "the router-page row: \(udp.fixes)")
            #expect(report.findings.first { $0.id == "outside.tcp.\(port)" }?.outcome == .pass, "\(output.stdout)")
            #expect(output.exitCode == 1 && report.conclusion == .blocked, "\(output.stdout)")
        }
    }

    /// A router that learned its address over STUN behind an endpoint-independent carrier NAT:
    /// it reports a public-looking address and grants every mapping, yet nothing from outside
    /// gets in. The verdict is `cgnat`, every port fails from outside, exit 1.
    @Test func checkBehindANaiveSTUNRouterSaysCGNATAndEveryPortFails() async throws {
        try await Self.withCheckLab(NetLab.Setup(upstream: .carrierNATEndpointIndependent, router: .miniupnpdWithSTUN)) { lab, config, _, _ in
            let (report, output) = try await Self.check(lab, config: config)
            #expect(report.findings.first { $0.id == "verdict" }?.title.hasPrefix("Verdict: cgnat") == true, "\(output.stdout)")
            #expect(report.findings.first { $0.id == "verdict" }?.outcome == .fail)
            #expect(report.findings.filter { $0.topic == .router }.allSatisfy { $0.outcome == .pass }, "the naive router grants them: \(output.stdout)")
            let outside = report.findings.filter { $0.topic == .outside }
            #expect(outside.count == 6 && outside.allSatisfy { $0.outcome == .fail }, "\(output.stdout)")
            #expect(output.exitCode == 1 && report.conclusion == .blocked, "\(output.stdout)")
        }
    }

    /// A carrier NAT in front of a plain router: mappings are refused, the verdict is `cgnat`,
    /// the router lines fail with the rows to forward, nothing is reachable from outside.
    @Test func checkBehindACarrierNATRouterThatRefusesSaysCGNAT() async throws {
        try await Self.withCheckLab(NetLab.Setup(upstream: .carrierNAT), mappingsGranted: false) { lab, config, port, _ in
            var report: CheckReport?
            var text = ""
            // The daemon needs a moment to be refused on every port.
            _ = try await eventually(timeout: .seconds(30), every: .seconds(1)) {
                let (checked, output) = try await Self.check(lab, config: config)
                report = checked
                text = output.stdout
                return checked.findings.filter { $0.topic == .router }.allSatisfy { $0.outcome == .fail }
            }
            let checked = try #require(report)
            #expect(checked.findings.first { $0.id == "verdict" }?.title.hasPrefix("Verdict: cgnat") == true, "\(text)")
            let udp = try #require(checked.findings.first { $0.id == "router.udp.\(port)" }, "\(text)")
            #expect(udp.outcome == .fail && udp.fixes.contains { $0.contains("UDP \(port) → \(lab.homeAddress) port \(port)") }, "\(udp)")
            #expect(checked.findings.filter { $0.topic == .outside }.allSatisfy { $0.outcome == .fail }, "\(text)")
            #expect(checked.exitCode == 1, "\(text)")
        }
    }
}
