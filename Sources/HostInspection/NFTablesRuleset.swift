import Foundation

/// The ruleset as `nft -j list ruleset` prints it (libnftables-json(5)): tables, chains with
/// their hooks and policies, rules as expression lists, and named sets.
struct NFTablesRuleset {
    struct ChainID: Hashable {
        var family: String
        var table: String
        var name: String

        var tableID: TableID { TableID(family: family, name: table) }
    }

    struct TableID: Hashable {
        var family: String
        var name: String
    }

    struct Chain {
        var id: ChainID
        /// Base chains only: `input`, `forward`, ...; nil for a chain reached by jump/goto.
        var hook: String?
        var type: String?
        var priority: Int
        var policy: String?
        var rules: [Rule] = []
    }

    struct Rule {
        var handle: Int
        var expressions: [JSONValue]
    }

    struct SetID: Hashable {
        var family: String
        var table: String
        var name: String
    }

    var chains: [ChainID: Chain] = [:]
    var sets: [SetID: [JSONValue]] = [:]

    struct FormatError: Error, CustomStringConvertible {
        var description: String
    }

    init(json: String) throws(FormatError) {
        let document: JSONValue
        do {
            document = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        } catch {
            throw FormatError(description: "nft -j printed something that is not JSON (\(error))")
        }
        guard let items = document["nftables"]?.array else { throw FormatError(description: "nft -j output has no \"nftables\" array") }
        var pendingRules: [(ChainID, Rule)] = []
        for item in items {
            guard let (kind, body) = item.soleKey,
                  let family = body["family"]?.string, let table = body["table"]?.string ?? (kind == "table" ? body["name"]?.string : nil)
            else { continue }
            switch kind {
            case "chain":
                guard let name = body["name"]?.string else { continue }
                let id = ChainID(family: family, table: table, name: name)
                chains[id] = Chain(id: id, hook: body["hook"]?.string, type: body["type"]?.string,
                                   priority: body["prio"]?.int ?? 0, policy: body["policy"]?.string)
            case "rule":
                guard let chain = body["chain"]?.string, let handle = body["handle"]?.int, let expressions = body["expr"]?.array else { continue }
                pendingRules.append((ChainID(family: family, table: table, name: chain), Rule(handle: handle, expressions: expressions)))
            case "set", "map":
                guard let name = body["name"]?.string else { continue }
                sets[SetID(family: family, table: table, name: name)] = body["elem"]?.array ?? []
            default:
                continue
            }
        }
        for (chain, rule) in pendingRules { chains[chain]?.rules.append(rule) }
    }

    /// Tables with iptables matches nft can only show as `xt` (iptables-nft's conntrack,
    /// multiport, comment, ...): their rules are read through iptables-save instead.
    var iptablesTables: Set<TableID> {
        Set(chains.values.filter { chain in
            chain.rules.contains { rule in rule.expressions.contains { $0["xt"] != nil } }
        }.map(\.id.tableID))
    }

    /// The filter chains on the input hook that see packets of `family`, in the order the
    /// kernel runs them (lower priority first).
    func inputChains(for family: String) -> [Chain] {
        chains.values
            .filter { $0.hook == "input" && ($0.type ?? "filter") == "filter" && Self.applies($0.id.family, to: family) }
            .sorted { ($0.priority, $0.id.family, $0.id.table, $0.id.name) < ($1.priority, $1.id.family, $1.id.table, $1.id.name) }
    }

    /// `inet` tables see both families; `ip` IPv4, `ip6` IPv6; bridge, arp and netdev tables
    /// have no input hook for routed traffic.
    static func applies(_ tableFamily: String, to family: String) -> Bool {
        tableFamily == "inet" || tableFamily == family
    }
}

/// Rule texts by handle, from `nft -a list ruleset` (`... accept # handle 7`), so that a
/// decision shows the rule as the user wrote it rather than as JSON.
struct NFTablesRuleTexts {
    private var texts: [NFTablesRuleset.ChainID: [Int: String]] = [:]

    init(listing: String) {
        var family = "", table = "", chain = ""
        for raw in listing.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let words = line.split(separator: " ")
            if words.first == "table", words.count >= 3 {
                family = String(words[1])
                table = String(words[2])
            } else if words.first == "chain", words.count >= 2 {
                chain = String(words[1])
            } else if let marker = line.range(of: " # handle ", options: .backwards), let handle = Int(line[marker.upperBound...]),
                      !line[..<marker.lowerBound].hasSuffix("{") {
                // Sets, maps and other named objects open a block; their handles are not rules'.
                let id = NFTablesRuleset.ChainID(family: family, table: table, name: chain)
                texts[id, default: [:]][handle] = String(line[..<marker.lowerBound])
            }
        }
    }

    func text(_ chain: NFTablesRuleset.ChainID, handle: Int) -> String? {
        texts[chain]?[handle]
    }
}
