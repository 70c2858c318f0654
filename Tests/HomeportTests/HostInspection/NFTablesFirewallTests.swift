import Foundation
@testable import HostInspection
import InternetAddress
import Testing

/// Real nftables rulesets loaded into a namespace of the test's own, read with the real `nft`
/// through the inspection's runner; each fix printed is applied and must let the port in.
@Suite(.enabled(if: HostInspectionLab.requirement.shouldRun(), "needs root, ip, nft, socat and setpriv (apt: iproute2 nftables socat util-linux)"))
struct NFTablesFirewallTests {
    static let ports = [InspectedPort(.tcp, 21115), InspectedPort(.tcp, 21116), InspectedPort(.udp, 21116),
                        InspectedPort(.tcp, 21117), InspectedPort(.tcp, 21118), InspectedPort(.tcp, 21119)]

    /// A lab with `ruleset` loaded ("" for none), after checking this machine can run it.
    private func withRuleset(_ ruleset: String, _ body: (HostInspectionLab) async throws -> Void) async throws {
        try HostInspectionLab.requirement.check()
        try await HostInspectionLab.with { lab in
            if !ruleset.isEmpty { try await lab.loadNFTables(ruleset) }
            try await body(lab)
        }
    }

    /// Decisions by "21116/udp IPv4".
    private func decisions(_ lab: HostInspectionLab, _ ports: [InspectedPort] = ports,
                           families: [IPFamily] = [.ipv4]) async -> [String: FirewallDecision] {
        let verdicts = await FirewallInspection(runner: lab.runner).inspect(ports, families: families)
        return Dictionary(uniqueKeysWithValues: verdicts.map { ("\($0.port) \($0.family)", $0.decision) })
    }

    /// What the policy drop of `inet filter input` does to `port`.
    private func droppedByPolicy(_ port: InspectedPort) -> FirewallDecision {
        .dropped(by: "the policy drop of chain inet filter input", chain: "inet filter input",
                 fix: "nft add rule inet filter input \(port.transport) dport \(port.port) accept")
    }

    /// Runs the fix in the namespace; afterwards the port must be allowed.
    private func applyFix(_ decision: FirewallDecision?, in lab: HostInspectionLab, port: InspectedPort) async throws {
        guard case .dropped(_, _, let fix) = decision else { throw TestFailure("not dropped: \(String(describing: decision))") }
        try await lab.mustRun(fix.split(separator: " ").map(String.init))
        let after = await decisions(lab, [port])["\(port) IPv4"]
        guard case .allowed = after else { throw TestFailure("`\(fix)` did not let \(port) in: \(String(describing: after))") }
    }

    @Test("no ruleset, or no input-hook chain: no firewall")
    func noRuleset() async throws {
        try await withRuleset("") { lab in
            let result = await decisions(lab, families: [.ipv4, .ipv6])
            #expect(result.count == 12)
            #expect(result.values.allSatisfy { $0 == .noFirewall }, "\(result)")
            try await lab.loadNFTables("table inet nat {\n chain pre { type nat hook prerouting priority dstnat; }\n}")
            #expect(await decisions(lab).values.allSatisfy { $0 == .noFirewall })
        }
    }

    @Test("policy drop with only TCP 21116 accepted: TCP allowed by the rule, UDP dropped by the policy, and the fix works")
    func policyDrop() async throws {
        try await withRuleset("""
        table inet filter {
            chain input {
                type filter hook input priority filter; policy drop;
                iifname "lo" accept
                ct state established,related accept
                ct state invalid drop
                tcp dport 21116 accept
            }
        }
        """) { lab in
            let result = await decisions(lab, families: [.ipv4, .ipv6])
            #expect(result["21116/tcp IPv4"] == .allowed(by: "`tcp dport 21116 accept` (handle 5 in inet filter input)"))
            #expect(result["21116/tcp IPv6"] == result["21116/tcp IPv4"])
            #expect(result["21116/udp IPv4"] == droppedByPolicy(InspectedPort(.udp, 21116)))
            #expect(result["21117/tcp IPv6"] == droppedByPolicy(InspectedPort(.tcp, 21117)))
            try await applyFix(result["21116/udp IPv4"], in: lab, port: InspectedPort(.udp, 21116))
        }
    }

    @Test("a rule dropping UDP 21116 in an accepting chain: dropped by that rule; the fix goes before it")
    func dropRule() async throws {
        try await withRuleset("""
        table inet filter {
            chain input {
                type filter hook input priority 0; policy accept;
                udp dport 21116 counter drop
            }
        }
        """) { lab in
            let result = await decisions(lab)
            #expect(result["21116/udp IPv4"] == .dropped(by: "`udp dport 21116 counter packets 0 bytes 0 drop` (handle 2 in inet filter input)",
                                                         chain: "inet filter input",
                                                         fix: "nft insert rule inet filter input position 2 udp dport 21116 accept"))
            #expect(result["21116/tcp IPv4"] == .allowed(by: "the policy accept of chain inet filter input"))
            try await applyFix(result["21116/udp IPv4"], in: lab, port: InspectedPort(.udp, 21116))
        }
    }

    @Test("a source-restricted accept is uncertain (named), unless an unconditional rule decides the same way")
    func sourceRestricted() async throws {
        try await withRuleset("""
        table inet filter {
            chain input {
                type filter hook input priority 0; policy drop;
                ip saddr 192.168.0.0/16 udp dport 21116 accept
                iifname "eth0" tcp dport 21117 drop
                tcp dport 21117 accept
                ip saddr 10.0.0.0/8 tcp dport 21118 accept
                tcp dport 21118 accept
            }
        }
        """) { lab in
            let result = await decisions(lab, families: [.ipv4, .ipv6])
            #expect(result["21116/udp IPv4"] == .uncertain(rules: ["`ip saddr 192.168.0.0/16 udp dport 21116 accept` (handle 2 in inet filter input)"],
                                                           otherwise: "dropped by the policy drop of chain inet filter input; to allow: nft add rule inet filter input udp dport 21116 accept"))
            // `ip saddr` is an IPv4 match: IPv6 packets never match it.
            #expect(result["21116/udp IPv6"] == droppedByPolicy(InspectedPort(.udp, 21116)))
            #expect(result["21117/tcp IPv4"] == .uncertain(rules: ["`iifname \"eth0\" tcp dport 21117 drop` (handle 3 in inet filter input)"],
                                                           otherwise: "allowed by `tcp dport 21117 accept` (handle 4 in inet filter input)"))
            #expect(result["21118/tcp IPv4"] == .allowed(by: "`tcp dport 21118 accept` (handle 6 in inet filter input)"))
        }
    }

    @Test("sets, ranges, named sets, vmaps and jumps to user chains")
    func setsAndRanges() async throws {
        try await withRuleset("""
        table inet filter {
            set rustdesk { type inet_service; flags interval; elements = { 21118-21119 } }
            chain input {
                type filter hook input priority 0; policy drop;
                ct state vmap { established : accept, related : accept, invalid : drop }
                tcp dport { 21115, 22 } accept
                tcp dport 21117-21117 accept
                tcp dport @rustdesk accept
                udp dport vmap { 21116 : jump servers }
                meta l4proto tcp th dport != 21116 drop
            }
            chain servers {
                ip6 nexthdr udp return
                udp dport 21116 accept
            }
        }
        """) { lab in
            let result = await decisions(lab, families: [.ipv4, .ipv6])
            for (port, text) in [("21115/tcp", "`tcp dport { 22, 21115 } accept`"), ("21117/tcp", "`tcp dport 21117-21117 accept`"),
                                 ("21118/tcp", "`tcp dport @rustdesk accept`"), ("21119/tcp", "`tcp dport @rustdesk accept`")] {
                guard case .allowed(let rule) = result["\(port) IPv4"] else { Issue.record("\(port): \(String(describing: result["\(port) IPv4"]))"); continue }
                #expect(rule.hasPrefix(text), "\(port): \(rule)")
            }
            #expect(result["21116/tcp IPv4"] == droppedByPolicy(InspectedPort(.tcp, 21116)))
            guard case .allowed(let udp4) = result["21116/udp IPv4"] else { Issue.record("\(String(describing: result["21116/udp IPv4"]))"); return }
            #expect(udp4.hasPrefix("`udp dport 21116 accept` (handle"), "\(udp4)")
            #expect(udp4.hasSuffix("in inet filter servers)"), "\(udp4)")
            // IPv6 UDP returns from the user chain and falls to the policy.
            #expect(result["21116/udp IPv6"] == droppedByPolicy(InspectedPort(.udp, 21116)))
        }
    }

    @Test("two base chains on the input hook: an accept passes to the next, a drop in either decides")
    func twoBaseChains() async throws {
        try await withRuleset("""
        table inet filter {
            chain input { type filter hook input priority 0; policy accept; tcp dport 21116 accept; }
        }
        table ip extra {
            chain input { type filter hook input priority 10; policy accept; udp dport 21116 drop; tcp dport 21116 drop; }
        }
        """) { lab in
            let result = await decisions(lab, families: [.ipv4, .ipv6])
            guard case .dropped(let rule, let chain, let fix) = result["21116/tcp IPv4"] else { Issue.record("\(String(describing: result["21116/tcp IPv4"]))"); return }
            #expect(rule.hasPrefix("`tcp dport 21116 drop`"))
            #expect(chain == "ip extra input")
            #expect(fix.hasPrefix("nft insert rule ip extra input position "))
            #expect(result["21116/udp IPv6"] == .allowed(by: "the policy accept of chain inet filter input"))
            #expect(result["21116/tcp IPv6"] == .allowed(by: "`tcp dport 21116 accept` (handle 2 in inet filter input)"))
        }
    }

    @Test("not permitted to read the ruleset: 'could not inspect', run as root (nft run as nobody)")
    func unprivileged() async throws {
        try await withRuleset("table inet filter {\n chain input { type filter hook input priority 0; policy drop; }\n}") { lab in
            let verdicts = await FirewallInspection(runner: lab.unprivilegedRunner).inspect([InspectedPort(.udp, 21116)], families: [.ipv4])
            #expect(verdicts.map(\.decision) == [.couldNotInspect("nft needs root to read the firewall rules: run as root")])
            #expect(verdicts.first?.description == "21116/udp IPv4: could not inspect: nft needs root to read the firewall rules: run as root")
        }
    }
}
