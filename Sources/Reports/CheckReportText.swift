import ReachabilityCheck

/// The terminal form of `homeport check`: one line per check with its mark (✔ ✘ ! ?), the
/// facts indented under it, each fix after "→", and the conclusion last, within 100 columns.
public enum CheckReportText {
    public static func render(_ report: CheckReport, width: Int = WordWrap.screenWidth, verbose: Bool = false) -> String {
        var lines: [String] = []
        for finding in report.findings {
            lines += WordWrap.lines("\(finding.outcome.mark) \(finding.title)", width: width, indent: "  ")
            // The facts of a passed check only with --verbose: its line says enough.
            if finding.outcome != .pass || verbose {
                for detail in finding.details { lines += WordWrap.lines(detail, width: width - 2, indent: "  ").map { "  " + $0 } }
            }
            for fix in finding.fixes { lines += WordWrap.lines("→ " + fix, width: width - 2, indent: "  ").map { "  " + $0 } }
        }
        lines.append("")
        lines.append(conclusion(report))
        return lines.joined(separator: "\n") + "\n"
    }

    static func conclusion(_ report: CheckReport) -> String {
        let failed = report.findings.filter { $0.outcome == .fail }.count
        switch report.conclusion {
        case .reachable:
            return "Outside clients can reach every enabled server port."
        case .blocked:
            return failed == 1 ? "1 problem stops outside clients; its fix is under the ✘ line."
                : "\(failed) problems stop outside clients; the fixes are under each ✘ line."
        case .unverified:
            return "Nothing failed here, but reachability from outside is not verified (see the ? lines)."
        }
    }
}
