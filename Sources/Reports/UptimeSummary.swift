import Foundation
import History

/// Uptime of every service over 24 h, 7 d, 30 d and the requested window, with outages and
/// the per-cell timeline: the data behind `homeport history uptime`, in text or JSON.
public struct UptimeSummary: Sendable, Codable {
    public var from: Date
    public var to: Date
    public var services: [ServiceUptime]

    public struct ServiceUptime: Sendable, Codable {
        public var name: String
        public var uptime24h: Double?
        public var uptime7d: Double?
        public var uptime30d: Double?
        public var uptimeWindow: Double?
        public var downtimeSeconds: Double
        public var outages: [Outage]
        public var timeline: [TimelineCell]

        enum CodingKeys: String, CodingKey {
            case name, outages, timeline
            case uptime24h = "uptime_24h"
            case uptime7d = "uptime_7d"
            case uptime30d = "uptime_30d"
            case uptimeWindow = "uptime_window"
            case downtimeSeconds = "downtime_seconds"
        }
    }

    public struct TimelineCell: Sendable, Codable, Equatable {
        public var start: Date
        /// Share of the cell that was up; nil when nothing was observed.
        public var up: Double?

        public init(start: Date, up: Double?) {
            self.start = start
            self.up = up
        }
    }

    /// One query per service covers every window: the longest one is computed and the
    /// shorter ones are read off its segments.
    public static func build(history: HistoryStore, since: Date, now: Date, services only: String? = nil) throws -> UptimeSummary {
        let thirtyDays = now.addingTimeInterval(-30 * 86400)
        let from = min(since, thirtyDays)
        let firstSeen = try history.serviceFirstSeen()
        var result: [ServiceUptime] = []
        for name in firstSeen.keys.sorted() where only == nil || only == name {
            let report = try history.uptime(service: name, from: from, now: now, firstSeen: firstSeen[name])
            let windowFraction = report.fraction(from: since, to: now)
            let outages = report.outages.filter { $0.end > since }.map { outage -> Outage in
                var clipped = outage
                clipped.start = max(outage.start, since)
                return clipped
            }
            result.append(ServiceUptime(
                name: name,
                uptime24h: report.fraction(from: now.addingTimeInterval(-86400), to: now),
                uptime7d: report.fraction(from: now.addingTimeInterval(-7 * 86400), to: now),
                uptime30d: report.fraction(from: thirtyDays, to: now),
                uptimeWindow: windowFraction,
                downtimeSeconds: outages.reduce(0) { $0 + $1.duration },
                outages: outages,
                timeline: Timeline.cells(report: report, since: since, now: now)))
        }
        return UptimeSummary(from: since, to: now, services: result)
    }
}
