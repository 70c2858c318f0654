import Foundation
@testable import HostInspection
import InternetAddress
import Testing

/// Real iptables (Debian's iptables-nft) rules in a namespace of the test's own. nft shows
/// their conntrack, multiport and REJECT parts only as `xt` expressions, so the inspection
/// reads those tables back with iptables-save / ip6tables-save.
@Suite(.enabled(if: HostInspectionLab.iptablesRequirement.shouldRun(), "needs root, ip and iptables (apt: iptables)"))
struct IPTablesFirewallTests {
    @Test("INPUT with a jump to a user chain, a source-restricted multiport rule and an IPv6 REJECT; the fix works")
    func iptablesRules() async throws {
        try HostInspectionLab.iptablesRequirement.check()
        try await HostInspectionLab.with { lab in
            for rule in [
                ["iptables", "-P", "INPUT", "DROP"],
                ["iptables", "-A", "INPUT", "-i", "lo", "-j", "ACCEPT"],
                ["iptables", "-A", "INPUT", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"],
                ["iptables", "-N", "user-in"],
                ["iptables", "-A", "INPUT", "-j", "user-in"],
                ["iptables", "-A", "user-in", "-p", "tcp", "--dport", "21116", "-j", "ACCEPT"],
                ["iptables", "-A", "INPUT", "-s", "10.0.0.0/8", "-p", "udp", "-m", "multiport", "--dports", "21115:21119",
                 "-m", "comment", "--comment", "lan only", "-j", "ACCEPT"],
                ["ip6tables", "-A", "INPUT", "-p", "udp", "--dport", "21116", "-j", "REJECT"],
            ] { try await lab.mustRun(rule) }
            let ports = [InspectedPort(.tcp, 21116), InspectedPort(.udp, 21116), InspectedPort(.tcp, 21117)]
            let verdicts = await FirewallInspection(runner: lab.runner).inspect(ports)
            let result = Dictionary(uniqueKeysWithValues: verdicts.map { ("\($0.port) \($0.family)", $0.decision) })
            #expect(result["21116/tcp IPv4"] == .allowed(by: "`-A user-in -p tcp -m tcp --dport 21116 -j ACCEPT`"))
            #expect(result["21116/udp IPv4"] == .uncertain(
                rules: ["`-A INPUT -s 10.0.0.0/8 -p udp -m multiport --dports 21115:21119 -m comment --comment \"lan only\" -j ACCEPT`"],
                otherwise: "dropped by the policy DROP of chain INPUT; to allow: iptables -A INPUT -p udp --dport 21116 -j ACCEPT"))
            #expect(result["21117/tcp IPv4"] == .dropped(by: "the policy DROP of chain INPUT", chain: "iptables filter INPUT",
                                                         fix: "iptables -A INPUT -p tcp --dport 21117 -j ACCEPT"))
            let fix = "ip6tables -I INPUT 1 -p udp --dport 21116 -j ACCEPT"
            #expect(result["21116/udp IPv6"] == .dropped(by: "`-A INPUT -p udp -m udp --dport 21116 -j REJECT --reject-with icmp6-port-unreachable`",
                                                         chain: "ip6tables filter INPUT", fix: fix))
            #expect(result["21116/tcp IPv6"] == .allowed(by: "the policy ACCEPT of chain INPUT"))
            try await lab.mustRun(fix.split(separator: " ").map(String.init))
            let fixed = await FirewallInspection(runner: lab.runner).inspect([InspectedPort(.udp, 21116)], families: [.ipv6])
            #expect(fixed.map(\.decision) == [.allowed(by: "`-A INPUT -p udp -m udp --dport 21116 -j ACCEPT`")])
        }
    }

    @Test("legacy iptables (x_tables), which nft does not show, is read too and drops on its own")
    func legacyIPTables() async throws {
        try HostInspectionLab.iptablesRequirement.check()
        try await HostInspectionLab.with { lab in
            try await lab.loadNFTables("table inet filter {\n chain input { type filter hook input priority 0; policy accept; udp dport 21116 accept; }\n}")
            try await lab.mustRun(["iptables-legacy", "-P", "INPUT", "DROP"])
            try await lab.mustRun(["iptables-legacy", "-A", "INPUT", "-p", "tcp", "--dport", "21116", "-j", "ACCEPT"])
            let ports = [InspectedPort(.tcp, 21116), InspectedPort(.udp, 21116)]
            let verdicts = await FirewallInspection(runner: lab.runner).inspect(ports)
            let result = Dictionary(uniqueKeysWithValues: verdicts.map { ("\($0.port) \($0.family)", $0.decision) })
            #expect(result["21116/tcp IPv4"] == .allowed(by: "the policy accept of chain inet filter input, then `-A INPUT -p tcp -m tcp --dport 21116 -j ACCEPT`"))
            let fix = "iptables-legacy -A INPUT -p udp --dport 21116 -j ACCEPT"
            #expect(result["21116/udp IPv4"] == .dropped(by: "the policy DROP of chain INPUT", chain: "iptables-legacy filter INPUT", fix: fix))
            // No legacy IPv6 table exists in the namespace: nft's accept decides.
            #expect(result["21116/udp IPv6"] == .allowed(by: "`udp dport 21116 accept` (handle 2 in inet filter input)"))
            try await lab.mustRun(fix.split(separator: " ").map(String.init))
            let fixed = await FirewallInspection(runner: lab.runner).inspect([InspectedPort(.udp, 21116)], families: [.ipv4])
            guard case .allowed = fixed.first?.decision else { Issue.record("\(fixed)"); return }
        }
    }

    @Test("iptables-save text: quoted comments, negation, goto, RETURN and limits")
    func saveText() {
        let save = """
        # Generated by iptables-save v1.8.9
        *nat
        :PREROUTING ACCEPT [0:0]
        -A PREROUTING -p udp --dport 21116 -j DROP
        COMMIT
        *filter
        :INPUT DROP [0:0]
        :checks - [0:0]
        -A INPUT ! -i lo -p tcp -m tcp --dport 21115 -m comment --comment "say \\"hi\\" there" -j ACCEPT
        -A INPUT -p udp -m limit --limit 10/sec -j ACCEPT
        -A INPUT -g checks
        -A INPUT -p tcp --dport 21117 -j ACCEPT
        -A checks -p tcp --dport 21116 -j RETURN
        -A checks -p tcp -m multiport --dports 21118,21119 -j ACCEPT
        -A INPUT -p tcp --dport "unclosed
        COMMIT
        """
        let filter = IPTablesFilter(save: save)
        #expect(filter.malformedLines == 1)
        #expect(filter.rules["INPUT"]?.first?.contains("say \"hi\" there") == true)
        func decision(_ transport: Transport, _ port: UInt16) -> FirewallDecision {
            BaseChainOutcome.decision(of: [IPTablesEvaluation(filter: filter, port: InspectedPort(transport, port), family: .ipv4).outcome()].compactMap { $0 })
        }
        guard case .allowed(let rule) = decision(.tcp, 21115) else { Issue.record("\(decision(.tcp, 21115))"); return }
        #expect(rule.hasPrefix("`-A INPUT ! -i lo -p tcp"))
        // A rate limit lets only some datagrams in.
        guard case .uncertain(let rules, _) = decision(.udp, 21116) else { Issue.record("\(decision(.udp, 21116))"); return }
        #expect(rules == ["`-A INPUT -p udp -m limit --limit 10/sec -j ACCEPT`"])
        // A goto'd chain that returns ends INPUT's walk: the policy decides, not the rule after the goto.
        #expect(decision(.tcp, 21116) == .dropped(by: "the policy DROP of chain INPUT", chain: "iptables filter INPUT",
                                                  fix: "iptables -A INPUT -p tcp --dport 21116 -j ACCEPT"))
        #expect(decision(.tcp, 21119) == .allowed(by: "`-A checks -p tcp -m multiport --dports 21118,21119 -j ACCEPT`"))
    }
}
