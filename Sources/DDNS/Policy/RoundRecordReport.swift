import Foundation
import InternetAddress

/// What a round did (or, in a dry run, would do) for one record; `homeport ddns --json` prints these.
public struct RoundRecordReport: Sendable, Equatable, Codable {
    /// `outcome` for a record the policy did not send.
    public static let skipped = "skipped"
    /// `outcome` in a dry run for a record that would be sent.
    public static let wouldUpdate = "would_update"

    public var provider: String
    public var hostname: String
    public var family: IPFamily
    /// The address sent, or that would be sent / was not sent.
    public var address: IPAddress
    /// One of `DDNSOutcomeName.all`, `skipped` or `would_update`.
    public var outcome: String
    /// Why the record was sent or skipped, in words (`PolicyDecision.description`).
    public var reason: String
    /// For skipped records: `unchanged`, `stopped`, `backing_off`, `minimum_interval`,
    /// `history_unavailable`; nil otherwise.
    public var skipCode: String?
    /// The engine's message (redacted, one line, capped) plus the DNS check's note.
    public var message: String?
    /// The DNS check after an update, or a due re-check: `confirmed`, `mismatch`, `unavailable`.
    public var dnsCheck: String?
    /// Whether DNS showed the address (nil: not checked this round).
    public var dnsConfirmed: Bool?
    /// No request for this record before this time (back-off, minimum interval); nil: whenever the
    /// address changes.
    public var nextAttemptAt: Date?
    /// The record is halted until its configuration changes.
    public var stopped: Bool
    public var dryRun: Bool
    /// Set when the history could not be written; the attempt happened regardless.
    public var historyError: String?

    public init(provider: String, hostname: String, family: IPFamily, address: IPAddress, outcome: String, reason: String,
                skipCode: String? = nil, message: String? = nil, dnsCheck: String? = nil, dnsConfirmed: Bool? = nil,
                nextAttemptAt: Date? = nil, stopped: Bool = false, dryRun: Bool = false, historyError: String? = nil) {
        self.provider = provider
        self.hostname = hostname
        self.family = family
        self.address = address
        self.outcome = outcome
        self.reason = reason
        self.skipCode = skipCode
        self.message = message
        self.dnsCheck = dnsCheck
        self.dnsConfirmed = dnsConfirmed
        self.nextAttemptAt = nextAttemptAt
        self.stopped = stopped
        self.dryRun = dryRun
        self.historyError = historyError
    }

    enum CodingKeys: String, CodingKey {
        case provider, hostname, family, address, outcome, reason, message, stopped
        case skipCode = "skip_code"
        case dnsCheck = "dns_check"
        case dnsConfirmed = "dns_confirmed"
        case nextAttemptAt = "next_attempt_at"
        case dryRun = "dry_run"
        case historyError = "history_error"
    }
}
