import Foundation
import GRDB
import InternetAddress

/// What the DDNS policy remembers about one record between rounds and restarts. Never holds
/// credentials: the fingerprint is a digest of the record's configuration, secrets included,
/// so a changed password lifts a stop without the password being stored.
public struct DDNSRecordState: Sendable, Equatable {
    /// `provider|hostname|family`, unique per record.
    public var key: String
    public var provider: String
    public var hostname: String
    public var family: IPFamily
    public var configFingerprint: String
    /// The address the provider last confirmed (updated or nochange).
    public var confirmedAddress: IPAddress?
    public var confirmedAt: Date?
    public var lastAttemptAt: Date?
    /// The provider's answer to the last attempt (one of `DDNSOutcome.answers`, or text an
    /// older or newer homeport wrote).
    public var lastOutcome: DDNSOutcome?
    public var lastMessage: String?
    /// No request before this time (back-off, minimum interval); nil = any time.
    public var nextAttemptAt: Date?
    /// Consecutive failed attempts, for exponential back-off.
    public var failures: Int
    /// A stop code halted this record until its configuration changes.
    public var stopped: Bool

    public init(key: String, provider: String, hostname: String, family: IPFamily, configFingerprint: String,
                confirmedAddress: IPAddress? = nil, confirmedAt: Date? = nil, lastAttemptAt: Date? = nil,
                lastOutcome: DDNSOutcome? = nil, lastMessage: String? = nil, nextAttemptAt: Date? = nil,
                failures: Int = 0, stopped: Bool = false) {
        self.key = key
        self.provider = provider
        self.hostname = hostname
        self.family = family
        self.configFingerprint = configFingerprint
        self.confirmedAddress = confirmedAddress
        self.confirmedAt = confirmedAt
        self.lastAttemptAt = lastAttemptAt
        self.lastOutcome = lastOutcome
        self.lastMessage = lastMessage
        self.nextAttemptAt = nextAttemptAt
        self.failures = failures
        self.stopped = stopped
    }

    public static func key(provider: String, hostname: String, family: IPFamily) -> String {
        "\(provider)|\(hostname.lowercased())|\(family.rawValue)"
    }
}

extension HistoryStore {
    public func ddnsRecordState(key: String) throws -> DDNSRecordState? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM ddns_records WHERE record_key = ?", arguments: [key]).map(Self.recordState(from:))
        }
    }

    public func ddnsRecordStates() throws -> [DDNSRecordState] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM ddns_records ORDER BY hostname, family, provider").map(Self.recordState(from:))
        }
    }

    /// Stores the record's state and, when given, the attempt in `ddns_updates`, in one
    /// transaction so the two never disagree after a crash.
    public func save(_ state: DDNSRecordState, attempt: DDNSResult? = nil) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO ddns_records (record_key, provider, hostname, family, config_fingerprint, confirmed_address,
                    confirmed_at, last_attempt_at, last_outcome, last_message, next_attempt_at, failures, stopped)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(record_key) DO UPDATE SET
                    provider = excluded.provider, hostname = excluded.hostname, family = excluded.family,
                    config_fingerprint = excluded.config_fingerprint, confirmed_address = excluded.confirmed_address,
                    confirmed_at = excluded.confirmed_at, last_attempt_at = excluded.last_attempt_at,
                    last_outcome = excluded.last_outcome, last_message = excluded.last_message,
                    next_attempt_at = excluded.next_attempt_at, failures = excluded.failures, stopped = excluded.stopped
                """, arguments: [
                    state.key, state.provider, state.hostname, state.family.rawValue, state.configFingerprint, state.confirmedAddress?.description,
                    state.confirmedAt?.timeIntervalSince1970, state.lastAttemptAt?.timeIntervalSince1970, state.lastOutcome?.text,
                    state.lastMessage, state.nextAttemptAt?.timeIntervalSince1970, state.failures, state.stopped,
                ])
            if let attempt {
                try db.execute(sql: "INSERT INTO ddns_updates (ts, provider, hostname, address, outcome, message, family) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               arguments: [attempt.time.timeIntervalSince1970, attempt.provider, attempt.hostname, attempt.address.description,
                                           attempt.outcome.text, attempt.message, state.family.rawValue])
            }
        }
    }

    static func recordState(from row: Row) throws -> DDNSRecordState {
        func date(_ column: String) -> Date? { (row[column] as Double?).map(Date.init(timeIntervalSince1970:)) }
        return DDNSRecordState(
            key: row["record_key"], provider: row["provider"], hostname: row["hostname"], family: try HistoryColumn.family(row, "family", table: "ddns_records"),
            configFingerprint: row["config_fingerprint"],
            confirmedAddress: try HistoryColumn.optionalAddress(row, "confirmed_address", table: "ddns_records"),
            confirmedAt: date("confirmed_at"), lastAttemptAt: date("last_attempt_at"), lastOutcome: (row["last_outcome"] as String?).map(DDNSOutcome.init(text:)),
            lastMessage: row["last_message"], nextAttemptAt: date("next_attempt_at"), failures: row["failures"],
            stopped: row["stopped"])
    }
}
