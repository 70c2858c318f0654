import Foundation
import GRDB
import InternetAddress

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SQLite history: service events, daemon runs (heartbeats), IP changes, DDNS results.
///
/// WAL mode with `synchronous = FULL`: every committed event is on disk before the write
/// returns, so a `kill -9` or a power cut loses nothing that was reported as recorded, and
/// readers (`homeport status`, `history`) never block the daemon.
public final class HistoryStore: Sendable {
    let pool: DatabasePool
    public let path: String

    /// Opens (creating with mode 0600 and migrating when `readOnly` is false) the database.
    public init(path: String, readOnly: Bool = false) throws(HistoryError) {
        self.path = path
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(10)
        if readOnly {
            guard access(path, F_OK) == 0 else {
                // EACCES: a directory on the way may not be searched, which says nothing
                // about whether the file exists.
                if errno == EACCES || errno == EPERM {
                    throw HistoryError("Cannot read the history at \(path): permission denied; run this command as the user the daemon runs as (with sudo if it runs as root).")
                }
                throw HistoryError("No history yet: \(path) does not exist (the daemon creates it on its first run).")
            }
            guard access(path, R_OK) == 0 else {
                throw HistoryError("Cannot read the history at \(path): permission denied; run this command as the user the daemon runs as (with sudo if it runs as root).")
            }
        } else {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw HistoryError("Cannot open the history database \(path): \(String(cString: strerror(errno))).")
            }
            var info = stat()
            if fstat(fd, &info) == 0, info.st_mode & 0o077 != 0 { _ = fchmod(fd, 0o600) }
            close(fd)
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            if !readOnly {
                try HistorySchema.migrator.migrate(pool)
                // GRDB opens WAL pools with synchronous = NORMAL, which may drop the last
                // commits on power loss. The single writer connection keeps this setting.
                try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            }
        } catch {
            throw HistoryError("Cannot open the history database \(path): \(Self.describe(error)).")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "SQLite error \(error.resultCode)"
        }
        return "\(error)"
    }

    // MARK: Daemon runs

    public func beginDaemonRun(at time: Date, pid: Int32, version: String, heartbeatInterval: TimeInterval) async throws -> Int64 {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO daemon_runs (started_at, last_heartbeat, pid, version, heartbeat_interval) VALUES (?, ?, ?, ?, ?)",
                arguments: [time.timeIntervalSince1970, time.timeIntervalSince1970, pid, version, heartbeatInterval])
            return db.lastInsertedRowID
        }
    }

    public func heartbeat(runID: Int64, at time: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE daemon_runs SET last_heartbeat = ? WHERE id = ?", arguments: [time.timeIntervalSince1970, runID])
        }
    }

    public func endDaemonRun(runID: Int64, at time: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE daemon_runs SET last_heartbeat = ?, stopped_at = ? WHERE id = ?",
                arguments: [time.timeIntervalSince1970, time.timeIntervalSince1970, runID])
        }
    }

    /// Runs that overlap `[from, to]`, oldest first, plus the one before (to know the state at
    /// `from`).
    public func daemonRuns(overlapping from: Date, _ to: Date = .distantFuture) throws -> [DaemonRun] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM daemon_runs
                WHERE COALESCE(stopped_at, last_heartbeat) >= ? AND started_at <= ?
                ORDER BY started_at
                """, arguments: [from.timeIntervalSince1970, to.timeIntervalSince1970]).map(Self.run(from:))
        }
    }

    public func latestDaemonRun() throws -> DaemonRun? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM daemon_runs ORDER BY id DESC LIMIT 1").map(Self.run(from:))
        }
    }

    static func run(from row: Row) -> DaemonRun {
        DaemonRun(
            id: row["id"],
            startedAt: Date(timeIntervalSince1970: row["started_at"]),
            lastHeartbeat: Date(timeIntervalSince1970: row["last_heartbeat"]),
            stoppedAt: (row["stopped_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            pid: row["pid"],
            version: row["version"],
            heartbeatInterval: row["heartbeat_interval"])
    }

    // MARK: Service events

    /// Stores `event` and returns its id once it is durably committed.
    @discardableResult
    public func record(_ event: ServiceEvent, runID: Int64?) async throws -> Int64 {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO service_events (ts, run_id, service, kind, pid, exit_code, signal, detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [event.time.timeIntervalSince1970, runID, event.service, event.kind.rawValue, event.pid, event.exitCode, event.signal, event.detail])
            return db.lastInsertedRowID
        }
    }

    /// Events since `from`, oldest first; for one service or all.
    public func events(service: String? = nil, since from: Date, limit: Int? = nil) throws -> [ServiceEvent] {
        try read { db in
            var sql = "SELECT * FROM service_events WHERE ts >= ?"
            var arguments: StatementArguments = [from.timeIntervalSince1970]
            if let service {
                sql += " AND service = ?"
                arguments += [service]
            }
            if let limit {
                sql = "SELECT * FROM (\(sql) ORDER BY ts DESC, id DESC LIMIT \(max(0, limit))) ORDER BY ts, id"
            } else {
                sql += " ORDER BY ts, id"
            }
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.event(from:))
        }
    }

    /// The last event of `service` strictly before `time` (the state a window starts in).
    public func lastEvent(service: String, before time: Date) throws -> ServiceEvent? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM service_events WHERE service = ? AND ts < ? ORDER BY ts DESC, id DESC LIMIT 1",
                             arguments: [service, time.timeIntervalSince1970]).map(Self.event(from:))
        }
    }

    /// When each service was first seen, by name.
    public func serviceFirstSeen() throws -> [String: Date] {
        try read { db in
            var result: [String: Date] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT service, MIN(ts) AS first FROM service_events GROUP BY service") {
                result[row["service"]] = Date(timeIntervalSince1970: row["first"])
            }
            return result
        }
    }

    /// Every service's latest event of each kind in the latest run it appeared in: enough to
    /// show the last known state when the daemon is down.
    public func lastKnownServices() throws -> [ServiceSnapshot] {
        try read { db in
            let names = try String.fetchAll(db, sql: "SELECT DISTINCT service FROM service_events ORDER BY service")
            return try names.map { name in
                let latest = try Row.fetchOne(db, sql: "SELECT * FROM service_events WHERE service = ? ORDER BY ts DESC, id DESC LIMIT 1", arguments: [name]).map(Self.event(from:))
                let lastStart = try Row.fetchOne(db, sql: "SELECT * FROM service_events WHERE service = ? AND kind = 'start' ORDER BY ts DESC, id DESC LIMIT 1", arguments: [name]).map(Self.event(from:))
                let lastExit = try Row.fetchOne(db, sql: "SELECT * FROM service_events WHERE service = ? AND kind = 'exit' ORDER BY ts DESC, id DESC LIMIT 1", arguments: [name]).map(Self.event(from:))
                let runID = latest?.runID
                let starts = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM service_events WHERE service = ? AND kind = 'start' AND run_id IS ?", arguments: [name, runID]) ?? 0
                return ServiceSnapshot(name: name, latest: latest, lastStart: lastStart, lastExit: lastExit, restartsInLastRun: max(0, starts - 1))
            }
        }
    }

    static func event(from row: Row) -> ServiceEvent {
        var event = ServiceEvent(
            time: Date(timeIntervalSince1970: row["ts"]),
            service: row["service"],
            kind: ServiceEventKind(rawValue: row["kind"]) ?? .exit,
            pid: row["pid"], exitCode: row["exit_code"], signal: row["signal"], detail: row["detail"])
        event.id = row["id"]
        event.runID = row["run_id"]
        return event
    }

    // MARK: IP and DDNS

    /// Stores `observation` only when the address differs from the last one of its family.
    /// Returns whether it was a change.
    @discardableResult
    public func recordIPIfChanged(_ observation: IPObservation) async throws -> Bool {
        try await pool.write { db in
            let last = try String.fetchOne(db, sql: "SELECT address FROM ip_observations WHERE family = ? ORDER BY ts DESC, id DESC LIMIT 1",
                                           arguments: [observation.family.rawValue])
            // Compared as addresses: a row written in another text form is still the same address.
            guard last.flatMap({ IPAddress($0) }) != observation.address else { return false }
            try db.execute(sql: "INSERT INTO ip_observations (ts, family, address, source) VALUES (?, ?, ?, ?)",
                           arguments: [observation.time.timeIntervalSince1970, observation.family.rawValue, observation.address.description,
                                       observation.source])
            return true
        }
    }

    public func ipObservations(since from: Date) throws -> [IPObservation] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM ip_observations WHERE ts >= ? ORDER BY ts, id", arguments: [from.timeIntervalSince1970])
                .map(Self.ipObservation(from:))
        }
    }

    /// The address each family had at `time` (the last change before it).
    public func ipAddresses(before time: Date) throws -> [IPObservation] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT o.* FROM ip_observations o
                WHERE o.id = (SELECT id FROM ip_observations WHERE family = o.family AND ts < ? ORDER BY ts DESC, id DESC LIMIT 1)
                ORDER BY o.family
                """, arguments: [time.timeIntervalSince1970]).map(Self.ipObservation(from:))
        }
    }

    public func record(_ result: DDNSResult) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO ddns_updates (ts, provider, hostname, address, outcome, message) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [result.time.timeIntervalSince1970, result.provider, result.hostname, result.address.description,
                                       result.outcome.text, result.message])
        }
    }

    /// The DDNS attempts since `from`, oldest first; with `hostname`, only that host's.
    public func ddnsResults(since from: Date, hostname: String? = nil) throws -> [DDNSResult] {
        try read { db in
            var sql = "SELECT * FROM ddns_updates WHERE ts >= ?"
            var arguments: StatementArguments = [from.timeIntervalSince1970]
            if let hostname {
                sql += " AND hostname = ?"
                arguments += [hostname]
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY ts, id", arguments: arguments).map { row in
                DDNSResult(time: Date(timeIntervalSince1970: row["ts"]), provider: row["provider"], hostname: row["hostname"],
                           address: try HistoryColumn.address(row, "address", table: "ddns_updates"), outcome: DDNSOutcome(text: row["outcome"]), message: row["message"])
            }
        }
    }

    static func ipObservation(from row: Row) throws -> IPObservation {
        IPObservation(time: Date(timeIntervalSince1970: row["ts"]), address: try HistoryColumn.address(row, "address", table: "ip_observations"),
                      source: row["source"])
    }

    // MARK: Maintenance

    /// Deletes rows older than `cutoff`, keeping the latest IP per family and the latest
    /// event per service so the current state survives any retention. Returns rows deleted.
    @discardableResult
    public func prune(olderThan cutoff: Date) async throws -> Int {
        try await pool.write { db in
            let t = cutoff.timeIntervalSince1970
            var deleted = 0
            try db.execute(sql: """
                DELETE FROM service_events WHERE ts < ?
                AND id NOT IN (SELECT MAX(id) FROM service_events GROUP BY service)
                """, arguments: [t])
            deleted += db.changesCount
            try db.execute(sql: """
                DELETE FROM ip_observations WHERE ts < ?
                AND id NOT IN (SELECT MAX(id) FROM ip_observations GROUP BY family)
                """, arguments: [t])
            deleted += db.changesCount
            try db.execute(sql: "DELETE FROM ddns_updates WHERE ts < ?", arguments: [t])
            deleted += db.changesCount
            try db.execute(sql: "DELETE FROM daemon_runs WHERE COALESCE(stopped_at, last_heartbeat) < ?", arguments: [t])
            deleted += db.changesCount
            try db.execute(sql: "DELETE FROM relay_usage WHERE day < ?", arguments: [RelayUsageDay.dayText(cutoff)])
            deleted += db.changesCount
            return deleted
        }
    }

    /// `PRAGMA integrity_check`: "ok" for a healthy file.
    public func integrityCheck() throws -> String {
        try read { db in
            try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ")
        }
    }

    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch {
            throw HistoryError("Cannot read the history at \(path): \(Self.describe(error)).")
        }
    }
}

/// The last known facts about one service, for `status` when the daemon is down.
public struct ServiceSnapshot: Sendable, Equatable {
    public var name: String
    public var latest: ServiceEvent?
    public var lastStart: ServiceEvent?
    public var lastExit: ServiceEvent?
    public var restartsInLastRun: Int
}
