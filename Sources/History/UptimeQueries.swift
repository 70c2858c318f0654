import Foundation

extension HistoryStore {
    /// Uptime of `service` over `[from, now]`, read from the database.
    public func uptime(service: String, from: Date, now: Date = Date(), firstSeen: Date? = nil) throws -> UptimeReport {
        let seen: Date?
        if let firstSeen { seen = firstSeen } else { seen = try serviceFirstSeen()[service] }
        let runs = try daemonRuns(overlapping: from, now)
        let events = try self.events(service: service, since: from)
        let before = try lastEvent(service: service, before: from)
        return UptimeCalculator.report(service: service, events: events, stateBefore: before, runs: runs, firstSeen: seen, from: from, to: now, now: now)
    }
}
