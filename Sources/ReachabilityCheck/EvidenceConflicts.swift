import Probe

/// Findings that only the whole report can give: when the router says "public" and mapped the
/// ports, but the outside probe could reach none of them, the router's word loses (a carrier NAT in
/// front of a router that learned its address over STUN looks exactly like that; see
/// docs/public-ip-and-nat.md). Each side's evidence is named.
public enum EvidenceConflicts {
    public static func findings(_ findings: [CheckFinding]) -> [CheckFinding] {
        guard findings.first(where: { $0.id == "verdict" })?.outcome == .pass else { return [] }
        let mapped = Set(findings.filter { $0.topic == .router && $0.outcome == .pass }.map { $0.id.replacingOccurrences(of: "router.", with: "") })
        let unreachable = findings.filter { finding in
            finding.topic == .outside && finding.outcome == .fail
                && (finding.seenFromOutside == .filtered || finding.seenFromOutside == .closed)
                && mapped.contains(finding.id.replacingOccurrences(of: "outside.", with: ""))
        }
        // One mapped port open from outside proves the address public: then a silent port is
        // that port's problem (a firewall rule), already reported on its own line.
        let reachable = findings.contains { finding in
            finding.topic == .outside && finding.outcome == .pass && mapped.contains(finding.id.replacingOccurrences(of: "outside.", with: ""))
        }
        guard !unreachable.isEmpty, !reachable else { return [] }
        let ports = unreachable.map { $0.title.split(separator: " ").prefix(2).joined(separator: " ") }
        return [CheckFinding(id: "verdict.conflict", topic: .verdict, outcome: .fail,
                             title: "The router says the address is public, but \(ports.joined(separator: ", ")) could not be reached from outside although mapped",
                             details: ["The router: a public WAN address, and the mappings were granted.",
                                       "The outside probe: \(unreachable.count) mapped port\(unreachable.count == 1 ? "" : "s") silent or refused.",
                                       "The outside wins: another NAT (often the ISP's carrier-grade NAT) or a filtering ISP sits in front of the router."],
                             fixes: ["ask the ISP whether the line has a public IPv4 address (or ask for one)",
                                     "check the router's own firewall for the ports listed",
                                     "use IPv6, or run the relay and ID server on a VPS"])]
    }
}
