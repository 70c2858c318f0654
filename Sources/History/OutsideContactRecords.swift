import Foundation
import GRDB
import InternetAddress

extension HistoryStore {
    /// Keeps `contact` as its listener's last outside contact. The daemon calls this at most
    /// about once a minute per listener, whatever arrives: `writes` counts the calls, so a
    /// flood that turned into disk writes would show.
    public func recordOutsideContact(_ contact: OutsideContact) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO outside_contacts (listener, port, kind, source, ts, writes) VALUES (?, ?, ?, ?, ?, 1)
                ON CONFLICT(listener) DO UPDATE SET port = excluded.port, kind = excluded.kind, source = excluded.source,
                    ts = excluded.ts, writes = writes + 1
                """, arguments: [contact.listener.rawValue, contact.port, contact.kind.rawValue, contact.source.description,
                                 contact.at.timeIntervalSince1970])
        }
    }

    /// Each listener's last outside contact. A row this version cannot read (written by a
    /// newer homeport) is left out rather than guessed at.
    public func outsideContacts() throws -> [OutsideContact] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT listener, port, kind, source, ts FROM outside_contacts").compactMap { row in
                guard let listener = BuiltinListener(rawValue: row["listener"]), let kind = OutsideContactKind(rawValue: row["kind"]),
                      let source = try? IPAddress(parsing: row["source"] as String) else { return nil }
                return OutsideContact(listener: listener, port: row["port"], kind: kind, source: source,
                                      at: Date(timeIntervalSince1970: row["ts"]))
            }.sorted { $0.listener < $1.listener }
        }
    }
}
