import Foundation

extension DetectionReport {
    /// The report for people (`homeport ip` without --json): addresses, who agreed or disagreed,
    /// the verdict with its consequence, advice and evidence, then each source.
    public func text() -> String {
        var lines: [String] = []
        for agreement in [ipv4, ipv6] {
            let label = agreement.family.description
            switch agreement.status {
            case .agreed:
                lines.append("\(label): \(agreement.address?.description ?? "?")  (agreed: \(agreement.agreeingSources.joined(separator: ", ")))")
                for vote in agreement.dissent {
                    lines.append("      but \(vote.sources.joined(separator: ", ")) said \(vote.address)")
                }
            case .disagreement:
                lines.append("\(label): sources disagree — " + agreement.votes.map { "\($0.address) (\($0.sources.joined(separator: ", ")))" }.joined(separator: " vs "))
            case .insufficient:
                let seen = agreement.votes.map { "\($0.address) (\($0.sources.joined(separator: ", ")))" }.joined(separator: ", ")
                lines.append("\(label): unknown — fewer than \(agreement.required) sources answered alike\(seen.isEmpty ? "" : "; seen: \(seen)")")
            case .unanswered:
                lines.append("\(label): unknown — no source answered with a usable address (see Sources below)")
            case .disabled:
                lines.append("\(label): not checked (disabled)")
            }
        }
        lines.append("")
        lines.append("NAT: \(verdict.kind.rawValue) — \(verdict.summary)")
        lines.append("  \(verdict.consequence)")
        for advice in verdict.advice {
            lines.append("  - \(advice)")
        }
        lines.append("  Evidence:")
        for fact in verdict.evidence {
            lines.append("    \(fact)")
        }
        lines.append("")
        lines.append("Sources:")
        for source in sources {
            let outcome = source.error.map { "error: \($0)" } ?? (source.address?.description ?? "-")
            lines.append("  \(source.family.description) \(source.kind.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(source.name): \(outcome) (\(Int(source.latencyMs.rounded())) ms)")
        }
        if hops.status == .measured {
            let path = hops.hops.map { "\($0.ttl) \($0.address?.description ?? "*")" }.joined(separator: ", ")
            lines.append("First hops toward \(hops.target?.description ?? "?"): \(path)")
        }
        return lines.joined(separator: "\n")
    }
}
