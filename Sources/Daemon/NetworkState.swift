import Foundation
import History
import PublicIP
import StatusModel

/// What the daemon's network tasks know now, for `homeport status`.
actor NetworkState {
    private(set) var lastReport: DetectionReport?
    private(set) var portMapping: PortMappingTask?
    /// Nil without `[[ddns]]` entries.
    private(set) var ddns: DDNSTask?

    func set(report: DetectionReport) {
        lastReport = report
    }

    func set(portMapping: PortMappingTask?) {
        self.portMapping = portMapping
    }

    func set(ddns: DDNSTask?) {
        self.ddns = ddns
    }

    /// The history's addresses and change times, with the live verdict on top.
    func publicIPStatus(history: HistoryStore) -> PublicIPStatus? {
        var status = NetworkStatusFromHistory.publicIP(history)
        guard let report = lastReport else { return status }
        if status == nil { status = PublicIPStatus() }
        status?.verdict = report.verdict.kind.rawValue
        status?.verdictSummary = report.verdict.summary
        status?.verdictConsequence = report.verdict.consequence
        status?.checkedAt = report.time
        status?.disagreements = [report.ipv4, report.ipv6].filter { $0.status == .disagreement }.map { agreement in
            "\(agreement.family.rawValue): " + agreement.votes.map { "\($0.sources.joined(separator: ", ")) say \($0.address)" }.joined(separator: "; ")
        }
        status?.unanswered = [report.ipv4, report.ipv6].filter { $0.status == .unanswered }.map(\.family)
        return status
    }

    func portMappingStatuses() async -> [PortMappingStatus]? {
        guard let portMapping else { return nil }
        return await portMapping.statuses()
    }

    func manualPortForwards() async -> [ManualPortForward]? {
        guard let forwards = await portMapping?.manualForwards(), !forwards.isEmpty else { return nil }
        return forwards
    }
}
