import Foundation
import InternetAddress
import PortMapping
import StatusModel

/// What the daemon's own status says, as check lines: is it running, which public addresses
/// the sources agreed on, the NAT verdict, and the router mappings of the server ports.
public enum StatusFindings {
    /// `status` is the running daemon's (running = true) or the history's last known state.
    public static func daemon(_ status: DaemonStatus?, now: Date) -> CheckFinding {
        guard let status else {
            return CheckFinding(id: "daemon.running", topic: .daemon, outcome: .fail, title: "homeport is not running here",
                                details: ["Nothing answered on the control socket and there is no history yet."],
                                fixes: ["start it: `homeport run` (or `sudo systemctl start homeport` when installed as a service)"])
        }
        if status.daemon.running {
            let pid = status.daemon.pid.map { ", pid \($0)" } ?? ""
            return CheckFinding(id: "daemon.running", topic: .daemon, outcome: .pass, title: "homeport is running\(pid)")
        }
        var details: [String] = []
        if let seen = status.daemon.lastSeen { details.append("Last seen \(ago(seen, now: now)); what follows is from the history.") }
        return CheckFinding(id: "daemon.running", topic: .daemon, outcome: .fail, title: "homeport is not running",
                            details: details,
                            fixes: ["start it: `homeport run` (or `sudo systemctl start homeport` when installed as a service)"])
    }

    public static func addresses(_ publicIP: PublicIPStatus?, families: [IPFamily], now: Date) -> [CheckFinding] {
        families.map { family in
            let address = family == .ipv4 ? publicIP?.ipv4 : publicIP?.ipv6
            let name = family == .ipv4 ? "IPv4" : "IPv6"
            let id = "address.\(family.rawValue)"
            if let address {
                let changed = (family == .ipv4 ? publicIP?.ipv4ChangedAt : publicIP?.ipv6ChangedAt).map { ", unchanged since \(ago($0, now: now))" } ?? ""
                return CheckFinding(id: id, topic: .address, outcome: .pass, title: "Public \(name) address \(address)\(changed)")
            }
            var details: [String] = []
            if publicIP?.unanswered.contains(family) == true { details.append("No source answered with a usable \(name) address at the last check.") }
            details += publicIP?.disagreements.filter { $0.hasPrefix(family.rawValue) } ?? []
            let outcome: CheckOutcome = family == .ipv4 ? .fail : .warning
            return CheckFinding(id: id, topic: .address, outcome: outcome, title: "Public \(name) address not known", details: details,
                                fixes: family == .ipv4 ? ["see what each source answered: `homeport ip --verbose`"] : [])
        }
    }

    /// The NAT verdict: only `public` lets outside clients in over IPv4.
    public static func verdict(_ publicIP: PublicIPStatus?) -> CheckFinding {
        guard let verdict = publicIP?.verdict else {
            return CheckFinding(id: "verdict", topic: .verdict, outcome: .unknown, title: "No NAT verdict yet",
                                details: ["The daemon has not finished its first check."],
                                fixes: ["run `homeport ip` for a verdict now"])
        }
        let summary = publicIP?.verdictSummary ?? verdict
        let consequence = publicIP?.verdictConsequence.map { [$0] } ?? []
        switch verdict {
        case "public":
            return CheckFinding(id: "verdict", topic: .verdict, outcome: .pass, title: "Verdict: public — \(summary)", details: consequence)
        case "no-router-info":
            return CheckFinding(id: "verdict", topic: .verdict, outcome: .unknown, title: "Verdict: no-router-info — \(summary)",
                                details: consequence, fixes: ["see `homeport ip` for how to check by hand"])
        case "cgnat":
            return CheckFinding(id: "verdict", topic: .verdict, outcome: .fail, title: "Verdict: cgnat — \(summary)", details: consequence,
                                fixes: ["ask the ISP for a public IPv4 address (often free, sometimes called 'public IP' or 'disable CGNAT')",
                                        "use IPv6 if the ISP gives you a prefix (see the IPv6 lines)",
                                        "or run the relay and ID server on a VPS"])
        default:
            return CheckFinding(id: "verdict", topic: .verdict, outcome: .fail, title: "Verdict: \(verdict) — \(summary)", details: consequence,
                                fixes: ["forward the ports on the outer device too, or put it in bridge mode; see `homeport ip`"])
        }
    }

    /// One line per server port: mapped by homeport (pass), forwarded in the router's listed table
    /// to this host (pass) or to another address (fail naming it), refused or unavailable (fail
    /// with the row to type into the router page), or not known (unknown). `forwards` is the
    /// router's UPnP table, nil when it could not be listed.
    public static func mappings(_ status: DaemonStatus?, ports: [ServerPort], mapPorts: Bool, lanAddress: IPAddress?,
                                forwards: [RouterForward]? = nil) -> [CheckFinding] {
        let listed = { (port: ServerPort) in forwards.flatMap { RouterForwardFindings.finding(port, forwards: $0, lanAddress: lanAddress) } }
        guard mapPorts else {
            let found = ports.compactMap(listed)
            let unlisted = ports.filter { listed($0) == nil }
            guard !unlisted.isEmpty else { return found }
            // One line for the rest, not one per port.
            let seen = forwards == nil
                ? "A forward made by hand on the router is not visible from here (the router did not list its forwards over UPnP); the outside checks tell whether it works."
                : "The router's UPnP table has no forward for these ports; one made on the router's own page may not be listed there, the outside checks tell whether it works."
            return found + [CheckFinding(id: "router.forwards", topic: .router, outcome: .unknown,
                                         title: "Router forwards: homeport maps none ([router] map_ports = false)",
                                         details: [seen],
                                         fixes: ["let homeport map them: [router] map_ports = true (the router must allow UPnP, NAT-PMP or PCP)",
                                                 "or forward each port by hand:"] + unlisted.map { ForwardRow.text($0, to: lanAddress) })]
        }
        let rows = status?.portMappings ?? []
        return ports.map { port in
            let id = "router.\(port.key)"
            let title = "\(port.label) (\(port.purpose))"
            let row = rows.first { $0.transport == port.transport.rawValue && $0.internalPort == port.port }
            // The router's own table tells more than a mapping homeport could not make (a 718
            // conflict is another host's forward).
            if row?.state != "mapped", let finding = listed(port) { return finding }
            guard let row else {
                return CheckFinding(id: id, topic: .router, outcome: .unknown, title: "\(title): no mapping reported by the daemon",
                                    fixes: [ForwardRow.text(port, to: lanAddress)])
            }
            switch row.state {
            case "mapped":
                let external = [row.externalAddress.map { "\($0)" }, row.externalPort.map(String.init)].compactMap { $0 }.joined(separator: ":")
                let by = row.mappedBy.map { " over \($0.uppercased())" } ?? ""
                return CheckFinding(id: id, topic: .router, outcome: .pass, title: "\(title) mapped on the router\(by) as \(external)")
            case "pending":
                return CheckFinding(id: id, topic: .router, outcome: .unknown, title: "\(title): mapping not made yet")
            default:
                return CheckFinding(id: id, topic: .router, outcome: .fail, title: "\(title): the router did not map it (\(row.state))",
                                    details: row.reason.map { [$0] } ?? [], fixes: [ForwardRow.text(port, to: lanAddress)])
            }
        }
    }

    static func ago(_ date: Date, now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<60: return "\(seconds) s ago"
        case ..<3600: return "\(seconds / 60) min ago"
        case ..<172_800: return "\(seconds / 3600) h ago"
        default: return "\(seconds / 86400) days ago"
        }
    }
}
