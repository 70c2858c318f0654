import Foundation
import Testing

/// The outside probe as it is meant to run: `homeport probe serve` on the lab's internet, asked
/// from the home behind the router's NAT. What each address saw is read from listeners there,
/// not from the probe's own answer.
@Suite(.serialized, .enabled(if: LabRequirements.canRun, Comment(rawValue: LabRequirements.skipMessage)))
struct LabProbeTests {
    static let probeAddress = NetLabAddressPlan.echoAddresses[0]
    static let decoyAddress = NetLabAddressPlan.echoAddresses[1]
    static let probePort = 21120
    static let forwarded = 21117
    static let closedPort = 21130
    static let droppedPort = 21131

    @Test("a request naming another address with forged forwarding headers tests only the requester, from outside")
    func testsOnlyTheRequester() async throws {
        try await NetLab.with(NetLab.Setup(router: .none)) { lab in
            let probe = try await lab.startProcess("probe", in: .internet, [
                NetLab.homeportBinary, "probe", "serve", "--listen", "\(Self.probeAddress):\(Self.probePort)", "--port-timeout-ms", "1500",
            ])
            try await lab.waitForListener(in: .internet, .tcp, port: Self.probePort, process: probe)
            // The user's forward on the router: WAN TCP 21117 to the home, where a listener logs who connects.
            try await lab.mustExec(.router, ["nft", "add rule inet filter prerouting_miniupnpd iifname \"wan\" tcp dport \(Self.forwarded) dnat ip to \(lab.homeAddress):\(Self.forwarded)"])
            try await lab.mustExec(.router, ["nft", "add rule inet filter miniupnpd ip daddr \(lab.homeAddress) tcp dport \(Self.forwarded) accept"])
            // A port the router's own firewall drops: silence.
            try await lab.mustExec(.router, ["nft", "add table inet probe_test"])
            try await lab.mustExec(.router, ["nft", "add chain inet probe_test input { type filter hook input priority 0; policy accept; }"])
            try await lab.mustExec(.router, ["nft", "add rule inet probe_test input tcp dport \(Self.droppedPort) drop"])
            let home = try await lab.startProcess("home-listener", in: .home,
                                                  ["socat", "-d", "-d", "TCP4-LISTEN:\(Self.forwarded),fork,reuseaddr", "EXEC:cat"])
            // The address the request names, on the probe's own machine: reaching it would be trivial.
            let decoy = try await lab.startProcess("decoy-listener", in: .internet,
                                                   ["socat", "-d", "-d", "TCP4-LISTEN:\(Self.forwarded),bind=\(Self.decoyAddress),fork,reuseaddr", "EXEC:cat"])
            try await lab.waitForListener(in: .home, .tcp, port: Self.forwarded, process: home)
            try await lab.waitForListener(in: .internet, .tcp, port: Self.forwarded, process: decoy)

            let body = """
            {"address": "\(Self.decoyAddress)", "ports": [{"port": \(Self.forwarded), "check": "tcp_connect"},
             {"port": \(Self.closedPort), "check": "tcp_connect"}, {"port": \(Self.droppedPort), "check": "tcp_connect"},
             {"port": \(Self.closedPort), "check": "register_peer"}]}
            """
            let request = "POST /v1/check HTTP/1.1\r\nHost: \(Self.probeAddress)\r\nConnection: close\r\n"
                + "X-Forwarded-For: \(Self.decoyAddress)\r\nForwarded: for=\(Self.decoyAddress)\r\nX-Real-IP: \(Self.decoyAddress)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            let output = try await lab.exec(.home, ["socat", "-t", "8", "-T", "10", "STDIO", "TCP4:\(Self.probeAddress):\(Self.probePort),connect-timeout=3"],
                                            input: request, timeout: 20)
            let split = try #require(output.stdout.range(of: "\r\n\r\n"), "no HTTP answer: \(output.combined)\n\(lab.daemonLogs)")
            #expect(output.stdout.hasPrefix("HTTP/1.1 200"), "\(output.stdout)")
            let answer = try LabJSON(parsing: String(output.stdout[split.upperBound...]), from: "the probe's answer")

            #expect(answer["address"]?.string == lab.publicAddress, "\(answer.text)")
            #expect(answer["ignored_fields"]?.array?.compactMap(\.string) == ["address"], "\(answer.text)")
            let results = answer["results"]?.array ?? []
            #expect(results.compactMap { $0["result"]?.string } == ["open", "closed", "filtered", "closed"], "\(answer.text)")

            // From the targets' side: the home saw the probe (leaving from the internet's link
            // address towards the router), the named address saw nobody.
            #expect(home.log.contains("accepting connection from AF=2 \(NetLabAddressPlan.internetGateway203):"), "home listener:\n\(home.log)")
            #expect(!decoy.log.contains("accepting connection"), "the named address was contacted:\n\(decoy.log)")
        }
    }
}
