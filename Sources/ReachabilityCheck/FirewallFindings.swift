import HostInspection
import InternetAddress

/// What this host's own firewall does with each server port (read only). One line per port;
/// the families are named when they differ.
public enum FirewallFindings {
    public static func findings(_ verdicts: [FirewallVerdict], ports: [ServerPort]) -> [CheckFinding] {
        // "could not inspect" is the same for every port: one line, not six.
        if let first = verdicts.first, case .couldNotInspect(let reason) = first.decision,
           verdicts.allSatisfy({ if case .couldNotInspect = $0.decision { true } else { false } }) {
            return [CheckFinding(id: "firewall", topic: .firewall, outcome: .unknown, title: "Local firewall: could not inspect", details: [reason])]
        }
        if !verdicts.isEmpty, verdicts.allSatisfy({ $0.decision == .noFirewall }) {
            return [CheckFinding(id: "firewall", topic: .firewall, outcome: .pass, title: "Local firewall: none filters incoming traffic")]
        }
        return ports.map { port in
            let inspected = ListenerFindings.inspectedPort(port)
            let mine = verdicts.filter { $0.port == inspected }
            let id = "firewall.\(port.key)"
            let title = "\(port.label) (\(port.purpose))"
            let dropped = mine.compactMap { verdict -> (IPFamily, String, String)? in
                if case .dropped(let rule, let chain, let fix) = verdict.decision { return (verdict.family, "\(rule) in \(chain)", fix) }
                return nil
            }
            if !dropped.isEmpty {
                return CheckFinding(id: id, topic: .firewall, outcome: .fail,
                                    title: "\(title) is dropped by this host's firewall (\(dropped.map { familyName($0.0) }.joined(separator: ", ")))",
                                    details: dropped.map { "\(familyName($0.0)): \($0.1)" },
                                    fixes: Array(Set(dropped.map(\.2))).sorted())
            }
            let uncertain = mine.compactMap { verdict -> String? in
                if case .uncertain(let rules, let otherwise) = verdict.decision {
                    return "\(familyName(verdict.family)): depends on \(rules.joined(separator: "; ")); otherwise \(otherwise)"
                }
                return nil
            }
            if !uncertain.isEmpty {
                return CheckFinding(id: id, topic: .firewall, outcome: .warning, title: "\(title): the firewall lets some traffic in, depending on rules", details: uncertain)
            }
            return CheckFinding(id: id, topic: .firewall, outcome: .pass, title: "\(title) is allowed by this host's firewall",
                                details: mine.map { "\(familyName($0.family)): \($0.description)" })
        }
    }

    static func familyName(_ family: IPFamily) -> String { family == .ipv4 ? "IPv4" : "IPv6" }
}
