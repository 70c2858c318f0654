import Foundation
import History

/// `homeport history …` as text.
public enum HistoryReport {
    public static func uptime(_ summary: UptimeSummary, style: Style) -> String {
        guard !summary.services.isEmpty else {
            return "No services in the history yet."
        }
        let window = TimeText.span(summary.to.timeIntervalSince(summary.from))
        var lines = ["Uptime since \(TimeText.minute(summary.from)) (\(window)); downtime includes time the host or homeport was off."]
        var table = TextTable(headers: ["SERVICE", "24H", "7D", "30D", "WINDOW", "OUTAGES", "DOWNTIME"])
        for service in summary.services {
            table.add([service.name, TimeText.percent(service.uptime24h), TimeText.percent(service.uptime7d), TimeText.percent(service.uptime30d),
                       TimeText.percent(service.uptimeWindow), String(service.outages.count), TimeText.span(service.downtimeSeconds)])
        }
        lines.append(table.render())
        let hourly = Timeline.isHourly(since: summary.from, now: summary.to)
        for service in summary.services {
            lines.append("")
            lines.append(style.bold(service.name) + style.dim("  " + Timeline.legend(hourly: hourly)))
            lines.append(contentsOf: Timeline.render(service.timeline, hourly: hourly, style: style))
            if !service.outages.isEmpty {
                lines.append("")
                var outages = TextTable(headers: ["OUTAGE START", "END", "DURATION", "CAUSE"])
                for outage in service.outages.suffix(20) {
                    outages.add([TimeText.minute(outage.start), outage.ongoing ? "ongoing" : TimeText.minute(outage.end), TimeText.span(outage.duration), outage.cause])
                }
                if service.outages.count > 20 { lines.append(style.dim("(latest 20 of \(service.outages.count) outages; --json has all)")) }
                lines.append(outages.render())
            }
        }
        return lines.joined(separator: "\n")
    }

    public static func events(_ events: [ServiceEvent], since: Date) -> String {
        guard !events.isEmpty else { return "No service events since \(TimeText.minute(since))." }
        var table = TextTable(headers: ["TIME", "SERVICE", "EVENT", "PID", "DETAIL"])
        for event in events {
            let detail = [event.exitDescription, event.detail].compactMap { $0 }.joined(separator: "; ")
            table.add([TimeText.dateTime(event.time), event.service, event.kind.rawValue, event.pid.map(String.init) ?? "-", detail])
        }
        return table.render()
    }

    public static func relay(_ days: [RelayUsageDay], since: Date) -> String {
        guard !days.isEmpty else { return "No relay sessions since \(TimeText.minute(since))." }
        var table = TextTable(headers: ["DAY", "SESSIONS", "RELAYED"])
        for day in days {
            table.add([day.day, String(day.sessions), ByteCountText.format(day.bytes)])
        }
        return table.render()
    }

    public static func ip(_ observations: [IPObservation], before: [IPObservation], since: Date) -> String {
        var lines: [String] = []
        if !before.isEmpty {
            lines.append("At \(TimeText.minute(since)): " + before.map { "\($0.family.rawValue) \($0.address)" }.joined(separator: ", "))
        }
        // Nothing before the window and nothing in it: no address was ever confirmed, which is
        // not the same as an address that stayed put.
        if before.isEmpty && observations.isEmpty {
            return "No public address confirmed yet: no sources have agreed on one. `homeport ip` shows what each source answers now."
        }
        guard !observations.isEmpty else {
            lines.append("No public address changes since \(TimeText.minute(since)).")
            return lines.joined(separator: "\n")
        }
        var table = TextTable(headers: ["TIME", "FAMILY", "ADDRESS", "SOURCE"])
        for observation in observations {
            table.add([TimeText.dateTime(observation.time), observation.family.rawValue, observation.address.description, observation.source])
        }
        lines.append(table.render())
        return lines.joined(separator: "\n")
    }

    /// DDNS attempts, oldest first; `host` names the one host asked for, if any.
    public static func ddns(_ results: [DDNSResult], host: String?, since: Date) -> String {
        guard !results.isEmpty else {
            let subject = host.map { "for \($0) " } ?? ""
            return "No DDNS updates \(subject)since \(TimeText.minute(since))."
        }
        var table = TextTable(headers: ["TIME", "HOST", "FAMILY", "PROVIDER", "ADDRESS", "OUTCOME", "MESSAGE"])
        for result in results {
            table.add([TimeText.dateTime(result.time), result.hostname, result.address.family.rawValue, result.provider,
                       result.address.description, result.outcome.text, result.message ?? ""])
        }
        return table.render()
    }
}
