import Foundation
import History
import InternetAddress
import StatusModel

/// The network parts of `homeport status`: public addresses and verdict, router port
/// mappings, DDNS records.
enum NetworkStatusLines {
    static func publicIP(_ status: PublicIPStatus, now: Date, style: Style) -> [String] {
        var lines: [String] = []
        for (family, address, changed) in [("IPv4", status.ipv4, status.ipv4ChangedAt), ("IPv6", status.ipv6, status.ipv6ChangedAt)] {
            guard let address else { continue }
            let since = changed.map { " (since \(TimeText.minute($0)), \(TimeText.relative($0, now: now)))" } ?? ""
            lines.append("Public \(family): \(style.bold(address.description))\(since)")
        }
        let checked = status.checkedAt.map { " at the last check (\(TimeText.minute($0)))" } ?? ""
        if lines.isEmpty {
            lines.append(status.unanswered.isEmpty
                ? "Public address: not known yet"
                : style.yellow("Public address: not known — no source answered\(checked); see `homeport ip`"))
        } else {
            // An address from the history that no source confirms now may be stale.
            for family in status.unanswered where (family == .ipv4 ? status.ipv4 : status.ipv6) != nil {
                lines.append(style.yellow("  \(family): no source answered\(checked); the address above may be out of date"))
            }
        }
        if let verdict = status.verdict {
            let text = "Reachability: \(verdict)" + (status.verdictSummary.map { " — \($0)" } ?? "")
            lines.append(verdict == "public" ? style.green(text) : style.yellow(text))
            if let consequence = status.verdictConsequence { lines.append("  \(consequence)") }
        }
        for disagreement in status.disagreements {
            lines.append(style.yellow("  sources disagree: \(disagreement)"))
        }
        return lines
    }

    static func portMappings(_ mappings: [PortMappingStatus], now: Date, style: Style) -> [String] {
        var table = TextTable(headers: ["SERVICE", "PORT", "EXTERNAL", "BY", "STATE", "EXPIRES"])
        // A reason shared by several rows or too long for a cell (a router that does not answer
        // gives every port the same paragraph) is printed once, below the table.
        let reasons = mappings.compactMap(\.reason)
        var notes: [String] = []
        for mapping in mappings {
            let external = mapping.externalPort.map { port in (mapping.externalAddress.map { "\($0):" } ?? "") + String(port) } ?? "-"
            var state = mapping.state
            if let reason = mapping.reason {
                if reason.count > 30 || reasons.filter({ $0 == reason }).count > 1 {
                    if !notes.contains(reason) { notes.append(reason) }
                    state += " [\((notes.firstIndex(of: reason) ?? 0) + 1)]"
                } else {
                    state += " (\(reason))"
                }
            }
            table.add([mapping.service, "\(mapping.transport.uppercased()) \(mapping.internalPort)", external, mapping.mappedBy ?? "-",
                       mapping.state == "mapped" ? style.green(state) : style.yellow(state),
                       mapping.expiresAt.map { TimeText.relative($0, now: now) } ?? "-"])
        }
        let footnotes = notes.enumerated().flatMap { index, note in WordWrap.lines("[\(index + 1)] \(note)", indent: "    ") }
        return [style.bold("Router port mappings")] + [table.render()] + footnotes
    }

    /// The ports the router does not map, as rows to enter in its port-forwarding page.
    static func manualPortForwards(_ forwards: [ManualPortForward], style: Style) -> [String] {
        var table = TextTable(headers: ["EXTERNAL PORT", "PROTOCOL", "INTERNAL IP", "INTERNAL PORT", "FOR"])
        for forward in forwards {
            table.add([String(forward.externalPort), forward.transport.uppercased(), forward.internalAddress.description,
                       String(forward.internalPort), forward.description])
        }
        return [style.yellow("Forward these by hand if the router has a public address (`homeport ip` tells):"), table.render()]
    }

    static func ddns(_ records: [DDNSRecordStatus], now: Date, style: Style) -> [String] {
        var table = TextTable(headers: ["DDNS RECORD", "PROVIDER", "ADDRESS", "SET", "LAST OUTCOME", "NEXT ATTEMPT"])
        for record in records {
            var outcome = record.lastOutcome?.text ?? "-"
            if record.stopped { outcome += " (stopped until the config changes)" }
            // Cut at a word, not mid-word; `status --json` has the whole message.
            if let message = record.lastMessage, !message.isEmpty { outcome += ": " + WordWrap.elide(message, width: 80) }
            let next: String
            if let waiting = record.waitingFor {
                switch waiting {
                case .address:
                    outcome = "waiting for a public \(record.family) address"
                    next = "when it is known"
                case .firstAttempt:
                    outcome = "not tried yet"
                    next = "next round"
                }
            } else if record.stopped {
                next = "never"
            } else if let at = record.nextAttemptAt, at > now {
                next = TimeText.relative(at, now: now)
            } else {
                next = "on change"
            }
            table.add(["\(record.hostname) (\(record.family.rawValue))", record.provider, record.address?.description ?? "-",
                       record.setAt.map { TimeText.relative($0, now: now) } ?? "-",
                       record.stopped || Self.needsAttention(record.lastOutcome) ? style.red(outcome) : outcome,
                       next])
        }
        return [table.render()]
    }

    /// Red in the table: a stop, an error, or an answer nobody can read. `retry_later` is the
    /// provider's own schedule and resolves itself.
    static func needsAttention(_ outcome: DDNSOutcome?) -> Bool {
        guard let outcome else { return false }
        return outcome.isFailure && outcome != .retryLater
    }
}
