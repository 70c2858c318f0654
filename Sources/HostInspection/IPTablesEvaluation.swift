import InternetAddress

/// Walks a packet through the INPUT chain of an iptables filter table and the user chains it
/// jumps to (iptables(8), iptables-extensions(8)): a new connection or datagram from outside,
/// to one port, not on lo.
struct IPTablesEvaluation {
    let filter: IPTablesFilter
    let port: InspectedPort
    let family: IPFamily
    /// Rules of the legacy x_tables backend (`iptables-legacy`), not of iptables-nft.
    var legacy = false

    private var tool: String { (family == .ipv4 ? "iptables" : "ip6tables") + (legacy ? "-legacy" : "") }

    /// Where the packet ends in INPUT; nil when the table filters nothing (no rules, policy
    /// ACCEPT). `priority`: that of the nft base chain iptables-nft made, 0 for legacy iptables.
    func outcome(priority: Int = 0) -> BaseChainOutcome? {
        let hasRules = !(filter.rules["INPUT"] ?? []).isEmpty
        let policy = filter.policies["INPUT"] ?? "ACCEPT"
        guard hasRules || policy != "ACCEPT" else { return nil }
        let policyStep = ChainWalk.Step(verdict: policy == "ACCEPT" ? .accept : .drop, rule: "the policy \(policy) of chain INPUT")
        return BaseChainOutcome(chain: "\(tool) filter INPUT", priority: priority, walk: walk("INPUT", depth: 0), policy: policyStep, fix: fix)
    }

    /// `iptables -I CHAIN N ...` before the dropping rule, or `-A INPUT` when the policy drops.
    private func fix(_ final: ChainWalk.Step) -> String {
        let match = "-p \(port.transport) --dport \(port.port) -j ACCEPT"
        for (chain, rules) in filter.rules {
            for (index, rule) in rules.enumerated() where text(rule, chain: chain) == final.rule {
                return "\(tool) -I \(chain) \(index + 1) \(match)"
            }
        }
        return "\(tool) -A INPUT \(match)"
    }

    private func text(_ rule: [String], chain: String) -> String {
        "`-A \(chain) \(rule.map { $0.contains(" ") ? "\"\($0)\"" : $0 }.joined(separator: " "))`"
    }

    private func walk(_ chain: String, depth: Int) -> ChainWalk {
        var result = ChainWalk()
        for rule in filter.rules[chain] ?? [] {
            let (truth, target, isGoto) = evaluate(rule)
            guard truth != .no, let target else { continue }
            let text = text(rule, chain: chain)
            let verdict: ChainWalk.Verdict?
            switch target {
            case "ACCEPT": verdict = .accept
            case "DROP", "REJECT": verdict = .drop
            case "RETURN": verdict = .leave
            case "LOG", "NFLOG", "MARK", "CONNMARK", "CT", "TRACE", "AUDIT": verdict = nil
            default:
                guard depth < 16, filter.rules[target] != nil || filter.policies[target] != nil else { continue }
                let inner = walk(target, depth: depth + 1)
                result.conditional += inner.conditional
                if let final = inner.final {
                    if truth == .yes { result.final = final; return result }
                    result.conditional.append(final)
                } else if isGoto, truth == .yes {
                    return result
                }
                continue
            }
            guard let verdict else { continue }
            if verdict == .leave {
                if truth == .yes { return result }
                result.conditional.append(ChainWalk.Step(verdict: .leave, rule: text))
            } else if truth == .yes {
                result.final = ChainWalk.Step(verdict: verdict, rule: text)
                return result
            } else {
                result.conditional.append(ChainWalk.Step(verdict: verdict, rule: text))
            }
        }
        return result
    }

    /// Whether the rule's matches hold for the packet, and its target (-j or -g).
    private func evaluate(_ rule: [String]) -> (NFTablesEvaluation.Truth, String?, Bool) {
        var truth = NFTablesEvaluation.Truth.yes
        var target: String?
        var isGoto = false
        var negate = false
        var index = 0
        func value() -> String? {
            index += 1
            return index < rule.count ? rule[index] : nil
        }
        while index < rule.count {
            let option = rule[index]
            var result: NFTablesEvaluation.Truth = .yes
            switch option {
            case "!": negate = true; index += 1; continue
            case "-p", "--protocol":
                let name = value() ?? ""
                result = ["all", "0"].contains(name) ? .yes
                    : (name == port.transport.rawValue || name == (port.transport == .tcp ? "6" : "17")) ? .yes : .no
            case "-i", "--in-interface":
                result = value() == "lo" ? .no : .unknown
            case "--dport", "--destination-port":
                result = Self.portIn(value() ?? "", port.port)
            case "--dports", "--destination-ports":
                let list = (value() ?? "").split(separator: ",")
                result = list.contains { Self.portIn(String($0), port.port) == .yes } ? .yes : .no
            case "--ctstate", "--state":
                result = (value() ?? "").split(separator: ",").contains("NEW") ? .yes : .no
            case "-m", "--match":
                let module = value() ?? ""
                // These modules' options are read one by one; others (limit, recent, addrtype,
                // set, ...) depend on what is not known here.
                if !["tcp", "udp", "multiport", "conntrack", "state", "comment"].contains(module) { result = .unknown }
            case "--comment":
                _ = value()
            case "-j", "--jump", "-g", "--goto":
                isGoto = option.hasPrefix("-g") || option == "--goto"
                target = value()
                // Options of the target (--reject-with, --log-prefix, ...) follow; they decide nothing.
                index = rule.count
                continue
            default:
                // -s, -d, --sport, --icmp-type, ...: a value this packet does not fix.
                if option.hasPrefix("-") { result = .unknown; if index + 1 < rule.count, !rule[index + 1].hasPrefix("-") { index += 1 } }
            }
            if negate { result = !result; negate = false }
            truth = truth && result
            index += 1
        }
        return (truth, target, isGoto)
    }

    /// `21116` or a range `21115:21119`.
    static func portIn(_ text: String, _ port: UInt16) -> NFTablesEvaluation.Truth {
        let bounds = text.split(separator: ":", omittingEmptySubsequences: false)
        if bounds.count == 2 {
            let low = UInt16(bounds[0]) ?? 0, high = UInt16(bounds[1]) ?? UInt16.max
            return low <= port && port <= high ? .yes : .no
        }
        guard let single = UInt16(text) else { return .unknown }
        return single == port ? .yes : .no
    }
}
