import GRDB

/// Ids created in a registration flood, and how they leave the database.
///
/// The rule: homeport records when it creates an id (its first RegisterPk, a new `peer` row).
/// The id is *confirmed* once it is seen alive again: a refreshing RegisterPeer at least
/// `confirmAfter` after its last RegisterPk. A RustDesk client sends RegisterPeer every 12 s
/// while it runs (rustdesk src/rendezvous_mediator.rs, REG_INTERVAL), so any real client is
/// confirmed within about a minute of its first start; a flood tool that registers ids and
/// goes away never is. Ids still unconfirmed `unconfirmed-id-days` after their creation
/// (default 7, 0 = never) are deleted from the database and memory, hourly. Confirmed ids
/// and rows homeport did not create itself (imported from hbbs, or older than this rule)
/// are never deleted, however long they stay offline.
///
/// The record lives in its own table, so the `peer` table keeps rustdesk-server's schema.
enum UnconfirmedPeers {
    static let table = "homeport_unconfirmed_peer"
    static let confirmAfter: Int64 = 60_000
    static let day: Int64 = 86_400_000

    static let schema = """
        CREATE TABLE IF NOT EXISTS \(table) (
            id varchar(100) PRIMARY KEY NOT NULL,
            created_ms integer NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS index_\(table)_created ON \(table) (created_ms);
        """

    /// `createdAt`: wall-clock milliseconds.
    static func record(_ id: String, createdAt: Int64, in db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO \(table) (id, created_ms) VALUES (?, ?)", arguments: [id, createdAt])
    }

    static func confirm(_ id: String, in db: Database) throws {
        try db.execute(sql: "DELETE FROM \(table) WHERE id = ?", arguments: [id])
    }
}

extension PeerStore {
    /// Unconfirmed ids created before `cutoff` (wall-clock milliseconds).
    func unconfirmedIDs(createdBefore cutoff: Int64) throws -> [String] {
        try pool.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM \(UnconfirmedPeers.table) WHERE created_ms < ?", arguments: [cutoff])
        }
    }

    /// Deletes these ids' rows if they are still unconfirmed (one may have come back since it
    /// was listed); returns the ids deleted.
    func deleteUnconfirmed(_ ids: [String]) async throws -> [String] {
        try await pool.write { db in
            var deleted: [String] = []
            for id in ids {
                try db.execute(sql: "DELETE FROM \(UnconfirmedPeers.table) WHERE id = ?", arguments: [id])
                guard db.changesCount > 0 else { continue }
                try db.execute(sql: "DELETE FROM peer WHERE id = ?", arguments: [id])
                deleted.append(id)
            }
            return deleted
        }
    }
}
