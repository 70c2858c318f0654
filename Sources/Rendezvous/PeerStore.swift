import Foundation
import GRDB
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Registered peers in SQLite, in the `peer` table of rustdesk-server's `db_v2.sqlite3`
/// (same columns and indexes), so an existing hbbs database can be used or imported as is and
/// every client keeps its id.
public final class PeerStore: Sendable {
    let pool: DatabasePool
    public let path: String
    /// Set by tests to make `lookup` fail as a damaged or unreadable database does.
    let lookupFault = Mutex<Failure?>(nil)

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(path: String) throws(Failure) {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw Failure(description: "Cannot open the peer database \(path): \(String(cString: strerror(errno))).")
        }
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & 0o077 != 0 { _ = fchmod(fd, 0o600) }
        close(fd)
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            // Lookups are by primary key and rare (cache misses); a small page cache on few
            // connections keeps the server's memory for the peers themselves.
            configuration.maximumReaderCount = 2
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -512") }
            pool = try DatabasePool(path: path, configuration: configuration)
            try pool.write { db in
                try db.execute(sql: Self.schema)
                try db.execute(sql: UnconfirmedPeers.schema)
            }
        } catch {
            throw Failure(description: "Cannot open the peer database \(path): \(error).")
        }
    }

    /// Idempotent, as upstream runs it at every start.
    static let schema = """
        CREATE TABLE IF NOT EXISTS peer (
            guid blob PRIMARY KEY NOT NULL,
            id varchar(100) NOT NULL,
            uuid blob NOT NULL,
            pk blob NOT NULL,
            created_at datetime NOT NULL DEFAULT(current_timestamp),
            user blob,
            status tinyint,
            note varchar(300),
            info text NOT NULL
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX IF NOT EXISTS index_peer_id ON peer (id);
        CREATE INDEX IF NOT EXISTS index_peer_user ON peer (user);
        CREATE INDEX IF NOT EXISTS index_peer_created_at ON peer (created_at);
        CREATE INDEX IF NOT EXISTS index_peer_status ON peer (status);
        """

    public func lookup(id: String) throws -> PeerRow? {
        if let fault = lookupFault.withLock({ $0 }) { throw fault }
        return try pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT id, uuid, pk, info, EXISTS (SELECT 1 FROM \(UnconfirmedPeers.table) u WHERE u.id = peer.id) AS unconfirmed
                FROM peer WHERE id = ?
                """, arguments: [id]).map(Self.row(from:))
        }
    }

    public func count() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM peer") ?? 0 }
    }

    /// Applies inserts and updates in one transaction (group commit). `now`: wall-clock
    /// milliseconds, when a new id is recorded as created.
    func apply(_ changes: [PeerChange], now: Int64) async throws {
        try await pool.write { db in
            for change in changes {
                switch change {
                case .insert(let row):
                    var guid = UUID().uuid
                    let guidData = withUnsafeBytes(of: &guid) { Data($0) }
                    try db.execute(sql: "INSERT OR REPLACE INTO peer (guid, id, uuid, pk, info) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [guidData, row.id, Data(row.uuid), Data(row.pk), Self.info(ip: row.ip)])
                    try UnconfirmedPeers.record(row.id, createdAt: now, in: db)
                case .update(let row):
                    try db.execute(sql: "UPDATE peer SET pk = ?, info = ? WHERE id = ?",
                                   arguments: [Data(row.pk), Self.info(ip: row.ip), row.id])
                case .confirm(let id):
                    try UnconfirmedPeers.confirm(id, in: db)
                }
            }
        }
    }

    /// Copies the peers of an hbbs `db_v2.sqlite3` that this database does not have yet.
    /// Returns how many rows were imported and how many were already present.
    public func importPeers(from source: String) throws -> (imported: Int, skipped: Int) {
        guard access(source, R_OK) == 0 else {
            throw Failure(description: "Cannot read \(source): \(String(cString: strerror(errno))).")
        }
        do {
            return try pool.writeWithoutTransaction { db in
                try db.execute(sql: "ATTACH DATABASE ? AS source", arguments: [source])
                defer { try? db.execute(sql: "DETACH DATABASE source") }
                let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM source.peer") ?? 0
                try db.inTransaction {
                    try db.execute(sql: """
                        INSERT OR IGNORE INTO main.peer (guid, id, uuid, pk, created_at, user, status, note, info)
                        SELECT guid, id, uuid, pk, created_at, user, status, note, info FROM source.peer
                        """)
                    return .commit
                }
                let imported = db.changesCount
                return (imported, total - imported)
            }
        } catch {
            throw Failure(description: "Cannot import peers from \(source): \(error) (is it an hbbs db_v2.sqlite3?).")
        }
    }

    static func row(from row: Row) -> PeerRow {
        let uuid: Data = row["uuid"] ?? Data()
        let pk: Data = row["pk"] ?? Data()
        let unconfirmed: Bool = row["unconfirmed"] ?? false
        return PeerRow(id: row["id"], uuid: Array(uuid), pk: Array(pk), ip: ip(fromInfo: row["info"] ?? ""), unconfirmed: unconfirmed)
    }

    static func info(ip: String) -> String {
        let escaped = ip.unicodeScalars.map { $0 == "\"" || $0 == "\\" ? "\\\($0)" : String($0) }.joined()
        return "{\"ip\":\"\(escaped)\"}"
    }

    static func ip(fromInfo info: String) -> String {
        guard let data = info.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let ip = object["ip"] as? String else { return "" }
        // hbbs's dual-stack sockets store IPv4 peers as ::ffff:a.b.c.d; homeport normalizes
        // addresses at ingress, so compare in the same form (docs/rustdesk-protocol.md#peer-database).
        let lowered = ip.lowercased()
        if lowered.hasPrefix("::ffff:") {
            let rest = lowered.dropFirst(7)
            if rest.contains("."), !rest.contains(":") { return String(rest) }
        }
        return ip
    }
}

enum PeerChange: Sendable {
    case insert(PeerRow)
    case update(PeerRow)
    /// A new id came back: it is no longer a pruning candidate.
    case confirm(String)
}

/// Collects peer writes and commits whatever has accumulated in one transaction while the
/// previous one is on disk, so a registration storm costs a few fsyncs, not one per peer.
actor PeerWriteQueue {
    private let store: PeerStore
    private let wallClock: any MillisecondClock
    private var pending: [(PeerChange, CheckedContinuation<Void, any Error>)] = []
    private var flushing = false

    init(store: PeerStore, wallClock: any MillisecondClock) {
        self.store = store
        self.wallClock = wallClock
    }

    func submit(_ change: PeerChange) async throws {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((change, continuation))
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
    }

    private func flush() async {
        while !pending.isEmpty {
            let batch = pending
            pending = []
            do {
                try await store.apply(batch.map(\.0), now: wallClock.now())
                for (_, continuation) in batch { continuation.resume() }
            } catch {
                for (_, continuation) in batch { continuation.resume(throwing: error) }
            }
        }
        flushing = false
    }
}
