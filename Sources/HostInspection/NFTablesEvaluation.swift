import InternetAddress

/// Walks a packet through the input-hook chains of an nftables ruleset: a new connection
/// (TCP) or datagram (UDP) from somewhere outside, to one port, on an interface other than lo.
struct NFTablesEvaluation {
    let ruleset: NFTablesRuleset
    let texts: NFTablesRuleTexts
    let port: InspectedPort
    let family: IPFamily

    /// Whether a condition holds for the packet: `unknown` when it depends on what the packet
    /// does not fix (source address, incoming interface, marks, rate limits).
    enum Truth {
        case yes
        case no
        case unknown
    }

    private var nftFamily: String { family == .ipv4 ? "ip" : "ip6" }

    /// Where the packet ends in each input-hook base chain, except in the tables left out
    /// (those iptables-nft manages, read through iptables-save instead).
    func outcomes(excluding excluded: Set<NFTablesRuleset.TableID> = []) -> [BaseChainOutcome] {
        ruleset.inputChains(for: nftFamily).filter { !excluded.contains($0.id.tableID) }.map { chain in
            let policy = ChainWalk.Step(verdict: chain.policy == "drop" ? .drop : .accept,
                                        rule: "the policy \(chain.policy ?? "accept") of chain \(name(chain.id))")
            return BaseChainOutcome(chain: name(chain.id), priority: chain.priority, walk: walk(chain, depth: 0), policy: policy) { final in
                fix(final: final, chain: chain.id)
            }
        }
    }

    /// nft's own name of the chain: `inet filter input`.
    func name(_ chain: NFTablesRuleset.ChainID) -> String {
        "\(chain.family) \(chain.table) \(chain.name)"
    }

    /// A command that lets the port in: inserted just before the rule that drops it (which may
    /// be in a chain jumped to), or appended to the base chain when its policy drops it.
    private func fix(final: ChainWalk.Step, chain: NFTablesRuleset.ChainID) -> String {
        let match = "\(port.transport) dport \(port.port) accept"
        for candidate in ruleset.chains.values {
            for rule in candidate.rules where ruleText(rule, in: candidate.id) == final.rule {
                return "nft insert rule \(name(candidate.id)) position \(rule.handle) \(match)"
            }
        }
        return "nft add rule \(name(chain)) \(match)"
    }

    func ruleText(_ rule: NFTablesRuleset.Rule, in chain: NFTablesRuleset.ChainID) -> String {
        let text = texts.text(chain, handle: rule.handle).map { "`\($0)`" } ?? "the rule"
        return "\(text) (handle \(rule.handle) in \(name(chain)))"
    }

    // MARK: Chains

    private func walk(_ chain: NFTablesRuleset.Chain, depth: Int) -> ChainWalk {
        var result = ChainWalk()
        for rule in chain.rules {
            let text = ruleText(rule, in: chain.id)
            var truth = Truth.yes
            var action: Action?
            for expression in rule.expressions {
                guard let (kind, body) = expression.soleKey else { continue }
                switch kind {
                case "match":
                    truth = truth && match(body, in: chain.id)
                case "accept", "drop", "reject", "jump", "goto", "return", "vmap", "queue":
                    if action == nil { action = Action(kind: kind, body: body) }
                case "limit", "quota", "xt", "synproxy":
                    // Only some packets pass a rate limit or quota; xt is an iptables match
                    // nft cannot show (iptables-nft); synproxy answers the handshake itself.
                    truth = truth && .unknown
                default:
                    continue  // counter, log, comment-like and set/mangle statements decide nothing
                }
                if truth == .no { break }
            }
            guard truth != .no, let action else { continue }
            for (condition, step) in steps(for: action, text: text, chain: chain.id, depth: depth) {
                let holds = truth && condition
                guard holds != .no else { continue }
                switch step {
                case .verdict(let verdict):
                    if holds == .yes { result.final = ChainWalk.Step(verdict: verdict, rule: text); return result }
                    result.conditional.append(ChainWalk.Step(verdict: verdict, rule: text))
                case .walk(let inner, let isGoto):
                    result.conditional += inner.conditional
                    if let final = inner.final {
                        if holds == .yes { result.final = final; return result }
                        result.conditional.append(final)
                    } else if isGoto, holds == .yes {
                        return result  // the goto'd chain ran out: back to this chain's caller
                    }
                case .leave:
                    if holds == .yes { return result }
                    result.conditional.append(ChainWalk.Step(verdict: .leave, rule: text))
                }
            }
        }
        return result
    }

    private struct Action {
        var kind: String
        var body: JSONValue
    }

    private enum Step {
        case verdict(ChainWalk.Verdict)
        case walk(ChainWalk, isGoto: Bool)
        case leave
    }

    /// What an action does, each with the condition under which it does it (vmaps hold several).
    private func steps(for action: Action, text: String, chain: NFTablesRuleset.ChainID, depth: Int) -> [(Truth, Step)] {
        switch action.kind {
        case "accept": return [(.yes, .verdict(.accept))]
        case "drop", "reject": return [(.yes, .verdict(.drop))]
        case "return": return [(.yes, .leave)]
        case "queue": return [(.unknown, .verdict(.drop))]
        case "jump", "goto":
            guard let target = action.body["target"]?.string else { return [(.unknown, .verdict(.drop))] }
            return [(.yes, jump(to: target, from: chain, isGoto: action.kind == "goto", depth: depth))]
        case "vmap":
            guard let key = action.body["key"] else { return [] }
            var entries: [JSONValue] = []
            if let data = action.body["data"], let elements = data["set"]?.array ?? data.array { entries = elements }
            else if let name = action.body["data"]?.string, name.hasPrefix("@") {
                entries = ruleset.sets[.init(family: chain.family, table: chain.table, name: String(name.dropFirst()))] ?? []
            }
            return entries.compactMap { entry -> (Truth, Step)? in
                guard let pair = entry.array, pair.count == 2, let (verdict, body) = pair[1].soleKey else { return nil }
                let condition = compare(key, "==", pair[0], in: chain)
                let step = steps(for: Action(kind: verdict, body: body), text: text, chain: chain, depth: depth)
                return step.first.map { ($0.0 && condition, $0.1) }
            }
        default: return []
        }
    }

    private func jump(to target: String, from chain: NFTablesRuleset.ChainID, isGoto: Bool, depth: Int) -> Step {
        let id = NFTablesRuleset.ChainID(family: chain.family, table: chain.table, name: target)
        // The kernel refuses loops; the depth limit only guards against a malformed listing.
        guard depth < 16, let inner = ruleset.chains[id] else { return .verdict(.leave) }
        return .walk(walk(inner, depth: depth + 1), isGoto: isGoto)
    }

    // MARK: Matches

    private func match(_ body: JSONValue, in chain: NFTablesRuleset.ChainID) -> Truth {
        guard let left = body["left"], let right = body["right"] else { return .unknown }
        return compare(left, body["op"]?.string ?? "==", right, in: chain)
    }

    /// `left op right` for this packet.
    private func compare(_ left: JSONValue, _ op: String, _ right: JSONValue, in chain: NFTablesRuleset.ChainID) -> Truth {
        guard let (kind, selector) = left.soleKey else { return .unknown }
        switch kind {
        case "payload":
            return payload(selector["protocol"]?.string ?? "", field: selector["field"]?.string ?? "", op, right, in: chain)
        case "meta":
            return meta(selector["key"]?.string ?? "", op, right, in: chain)
        case "ct" where selector["key"]?.string == "state":
            return test(op, right, in: chain) { $0.string.map { $0 == "new" } }
        default:
            return .unknown
        }
    }

    private func payload(_ proto: String, field: String, _ op: String, _ right: JSONValue, in chain: NFTablesRuleset.ChainID) -> Truth {
        switch proto {
        case "tcp", "udp":
            // `tcp dport` also requires the protocol (nft adds the dependency itself).
            guard proto == port.transport.rawValue else { return .no }
            return field == "dport" ? portTest(op, right, in: chain) : .unknown
        case "th":
            return field == "dport" ? portTest(op, right, in: chain) : .unknown
        case "ip", "ip6":
            guard proto == nftFamily else { return .no }
            let protocolField = proto == "ip" ? "protocol" : "nexthdr"
            return field == protocolField ? transportTest(op, right, in: chain) : .unknown
        case "ether", "vlan":
            return .unknown
        default:
            // icmp, icmpv6, sctp, esp, arp, ...: another protocol than this packet's.
            return .no
        }
    }

    private func meta(_ key: String, _ op: String, _ right: JSONValue, in chain: NFTablesRuleset.ChainID) -> Truth {
        switch key {
        case "iifname", "iif":
            // Loopback rules never match traffic from outside; any other interface might.
            return test(op, right, in: chain) { value in value.string == "lo" ? false : nil }
        case "l4proto":
            return transportTest(op, right, in: chain)
        case "nfproto":
            return test(op, right, in: chain) { $0.string.map { $0 == (family == .ipv4 ? "ipv4" : "ipv6") } }
        case "protocol":
            return test(op, right, in: chain) { $0.string.map { $0 == nftFamily } }
        default:
            return .unknown
        }
    }

    private func transportTest(_ op: String, _ right: JSONValue, in chain: NFTablesRuleset.ChainID) -> Truth {
        let number = port.transport == .tcp ? 6 : 17
        return test(op, right, in: chain) { value in
            if let name = value.string, Int(name) == nil { return name == port.transport.rawValue }
            return value.int.map { $0 == number }
        }
    }

    private func portTest(_ op: String, _ right: JSONValue, in chain: NFTablesRuleset.ChainID) -> Truth {
        let value = Int(port.port)
        switch op {
        case "<": return right.int.map { value < $0 ? .yes : .no } ?? .unknown
        case ">": return right.int.map { value > $0 ? .yes : .no } ?? .unknown
        case "<=": return right.int.map { value <= $0 ? .yes : .no } ?? .unknown
        case ">=": return right.int.map { value >= $0 ? .yes : .no } ?? .unknown
        default:
            return test(op, right, in: chain) { element in
                if let bounds = element["range"]?.array, bounds.count == 2, let low = bounds[0].int, let high = bounds[1].int {
                    return low <= value && value <= high
                }
                // Service names ("ssh") are printed only with nft -S: a number is expected.
                return element.int.map { $0 == value }
            }
        }
    }

    /// Equality or membership: `right` is a value, an anonymous set, or `@name`; `element`
    /// says whether one element matches this packet (nil: cannot tell).
    private func test(_ op: String, _ right: JSONValue, in chain: NFTablesRuleset.ChainID, element: (JSONValue) -> Bool?) -> Truth {
        let elements = setElements(right, in: chain)
        var found = Truth.no
        for candidate in elements {
            switch element(candidate) {
            case true?: found = .yes
            case nil: if found == .no { found = .unknown }
            case false?: continue
            }
            if found == .yes { break }
        }
        if elements.isEmpty { found = .unknown }
        switch op {
        case "==", "in": return found
        case "!=": return !found
        default: return .unknown
        }
    }

    private func setElements(_ right: JSONValue, in chain: NFTablesRuleset.ChainID) -> [JSONValue] {
        if let elements = right["set"]?.array ?? right.array { return elements.map { $0["elem"]?["val"] ?? $0 } }
        if let name = right.string, name.hasPrefix("@") {
            // A named set lives in the rule's own table; the JSON names only the set.
            let named = ruleset.sets[.init(family: chain.family, table: chain.table, name: String(name.dropFirst()))] ?? []
            return named.map { $0["elem"]?["val"] ?? $0 }
        }
        return [right]
    }
}

extension NFTablesEvaluation.Truth {
    static func && (a: Self, b: Self) -> Self {
        if a == .no || b == .no { return .no }
        if a == .unknown || b == .unknown { return .unknown }
        return .yes
    }

    static prefix func ! (a: Self) -> Self {
        switch a {
        case .yes: .no
        case .no: .yes
        case .unknown: .unknown
        }
    }
}
