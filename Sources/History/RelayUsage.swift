import Foundation
import GRDB

/// Relay sessions and bytes per local day, for `homeport history relay`.
public struct RelayUsageDay: Sendable, Equatable, Codable {
    public var day: String
    public var sessions: Int
    public var bytes: Int64

    /// The local calendar day of `date` as yyyy-MM-dd.
    public static func dayText(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone.current
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        let pad = { (value: Int?) in value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(parts.year ?? 0)-\(pad(parts.month))-\(pad(parts.day))"
    }

    public init(day: String, sessions: Int, bytes: Int64) {
        self.day = day
        self.sessions = sessions
        self.bytes = bytes
    }
}

extension HistoryStore {
    /// Adds to the day's totals (the daemon records what happened since its last look).
    public func addRelayUsage(_ usage: RelayUsageDay) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO relay_usage (day, sessions, bytes) VALUES (?, ?, ?)
                ON CONFLICT(day) DO UPDATE SET sessions = sessions + excluded.sessions, bytes = bytes + excluded.bytes
                """, arguments: [usage.day, usage.sessions, usage.bytes])
        }
    }

    /// Days from `firstDay` (yyyy-MM-dd) on, oldest first.
    public func relayUsage(from firstDay: String) throws -> [RelayUsageDay] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM relay_usage WHERE day >= ? ORDER BY day", arguments: [firstDay]).map {
                RelayUsageDay(day: $0["day"], sessions: $0["sessions"], bytes: $0["bytes"])
            }
        }
    }
}
