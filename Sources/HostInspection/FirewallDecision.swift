import InternetAddress

/// What the host's own firewall does with a new connection or datagram from outside to one
/// port, as far as its rules can be read.
public enum FirewallDecision: Sendable, Hashable {
    /// A rule (or the chain policy) lets it in; the text names the rule and its chain.
    case allowed(by: String)
    /// A rule or a chain's policy drops or rejects it. `fix` is a command that would let it in.
    case dropped(by: String, chain: String, fix: String)
    /// Rules depend on what cannot be known here (the source address, the interface it
    /// arrives on, a rate limit): some traffic gets in, some not. The rules are listed.
    case uncertain(rules: [String], otherwise: String)
    /// No firewall filters incoming traffic (no input-hook chain, or an empty ruleset).
    case noFirewall
    /// The rules could not be read: not root, tool missing, unparsable output.
    case couldNotInspect(String)
}

/// The decision for one port and address family.
public struct FirewallVerdict: Sendable, Hashable, CustomStringConvertible {
    public var port: InspectedPort
    public var family: IPFamily
    public var decision: FirewallDecision

    public var description: String {
        let what = switch decision {
        case .allowed(let rule): "allowed by \(rule)"
        case .dropped(let rule, let chain, let fix): "dropped by \(rule) in \(chain); to allow: \(fix)"
        case .uncertain(let rules, let otherwise): "depends on the rules \(rules.joined(separator: "; ")); otherwise \(otherwise)"
        case .noFirewall: "no firewall"
        case .couldNotInspect(let reason): "could not inspect: \(reason)"
        }
        return "\(port) \(family): \(what)"
    }
}

/// One packet's way through a chain, before it is turned into a decision: the verdict that
/// ends it (nil: it falls off the end or returns) and the rules that may decide otherwise
/// for some of the packets.
struct ChainWalk {
    enum Verdict: Equatable {
        case accept
        case drop
        /// A conditional `return`: some packets leave the chain early.
        case leave

        var letsIn: Bool { self == .accept }
    }

    struct Step: Equatable {
        var verdict: Verdict
        var rule: String
    }

    var final: Step?
    var conditional: [Step] = []
}

/// Where a packet ends in one base chain, and the decision that follows.
struct BaseChainOutcome {
    var chain: String
    /// The hook priority: chains run lowest first.
    var priority: Int
    var final: ChainWalk.Step
    /// The conditional steps whose verdict differs from the final one.
    var doubts: [ChainWalk.Step]
    /// A command that would let the packet through this chain.
    var fix: String

    init(chain: String, priority: Int, walk: ChainWalk, policy: ChainWalk.Step, fix: (ChainWalk.Step) -> String) {
        self.chain = chain
        self.priority = priority
        final = walk.final ?? policy
        let finalLetsIn = final.verdict.letsIn
        doubts = walk.conditional.filter { $0.verdict == .leave || $0.verdict.letsIn != finalLetsIn }
        self.fix = fix(final)
    }

    /// Base chains in priority order: the first that drops decides; an accept only passes the
    /// packet to the next chain of the same hook (nft(8), "CHAINS": accept ends the evaluation
    /// of the current base chain only).
    static func decision(of unordered: [BaseChainOutcome]) -> FirewallDecision {
        guard !unordered.isEmpty else { return .noFirewall }
        let outcomes = unordered.enumerated().sorted { ($0.element.priority, $0.offset) < ($1.element.priority, $1.offset) }.map(\.element)
        // A drop in a later chain is final whatever an earlier chain did conditionally (its
        // conditional drops only drop earlier); only the dropping chain's own doubts count.
        if let dropping = outcomes.first(where: { !$0.final.verdict.letsIn }) {
            let dropped = "dropped by \(dropping.final.rule); to allow: \(dropping.fix)"
            if dropping.doubts.isEmpty { return .dropped(by: dropping.final.rule, chain: dropping.chain, fix: dropping.fix) }
            return .uncertain(rules: dropping.doubts.map(\.rule), otherwise: dropped)
        }
        let doubts = outcomes.flatMap(\.doubts).map(\.rule)
        let accepted = outcomes.map(\.final.rule).joined(separator: ", then ")
        return doubts.isEmpty ? .allowed(by: accepted) : .uncertain(rules: doubts, otherwise: "allowed by \(accepted)")
    }
}
