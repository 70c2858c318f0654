import Foundation
import History
import InternetAddress

/// What a round did (or, in a dry run, would do) for one record; `homeport update --json` prints these.
public struct RoundRecordReport: Sendable, Equatable, Codable {
    public var provider: String
    public var hostname: String
    public var family: IPFamily
    /// The address sent, or that would be sent / was not sent.
    public var address: IPAddress
    /// The provider's answer, or why nothing was sent (`skipped` with its reason, or
    /// `wouldUpdate` in a dry run).
    public var outcome: DDNSOutcome
    /// Why the record was sent or skipped, in words (`PolicyDecision.description`).
    public var reason: String
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

    public init(provider: String, hostname: String, family: IPFamily, address: IPAddress, outcome: DDNSOutcome, reason: String,
                message: String? = nil, dnsCheck: String? = nil, dnsConfirmed: Bool? = nil,
                nextAttemptAt: Date? = nil, stopped: Bool = false, dryRun: Bool = false, historyError: String? = nil) {
        self.provider = provider
        self.hostname = hostname
        self.family = family
        self.address = address
        self.outcome = outcome
        self.reason = reason
        self.message = message
        self.dnsCheck = dnsCheck
        self.dnsConfirmed = dnsConfirmed
        self.nextAttemptAt = nextAttemptAt
        self.stopped = stopped
        self.dryRun = dryRun
        self.historyError = historyError
    }

    /// JSON spells the outcome with `DDNSOutcome.text`; a skip adds `skip_code` and, after a stop
    /// or a back-off, `skip_after` (the outcome that caused it). Its end is `next_attempt_at`.
    enum CodingKeys: String, CodingKey {
        case provider, hostname, family, address, outcome, reason, message, stopped
        case skipCode = "skip_code"
        case skipAfter = "skip_after"
        case dnsCheck = "dns_check"
        case dnsConfirmed = "dns_confirmed"
        case nextAttemptAt = "next_attempt_at"
        case dryRun = "dry_run"
        case historyError = "history_error"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        provider = try container.decode(String.self, forKey: .provider)
        hostname = try container.decode(String.self, forKey: .hostname)
        family = try container.decode(IPFamily.self, forKey: .family)
        address = try container.decode(IPAddress.self, forKey: .address)
        reason = try container.decode(String.self, forKey: .reason)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        dnsCheck = try container.decodeIfPresent(String.self, forKey: .dnsCheck)
        dnsConfirmed = try container.decodeIfPresent(Bool.self, forKey: .dnsConfirmed)
        nextAttemptAt = try container.decodeIfPresent(Date.self, forKey: .nextAttemptAt)
        stopped = try container.decode(Bool.self, forKey: .stopped)
        dryRun = try container.decode(Bool.self, forKey: .dryRun)
        historyError = try container.decodeIfPresent(String.self, forKey: .historyError)
        outcome = DDNSOutcome(text: try container.decode(String.self, forKey: .outcome),
                              skipCode: try container.decodeIfPresent(String.self, forKey: .skipCode),
                              until: nextAttemptAt, after: try container.decodeIfPresent(String.self, forKey: .skipAfter))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(provider, forKey: .provider)
        try container.encode(hostname, forKey: .hostname)
        try container.encode(family, forKey: .family)
        try container.encode(address, forKey: .address)
        try container.encode(outcome.text, forKey: .outcome)
        try container.encode(reason, forKey: .reason)
        try container.encodeIfPresent(outcome.skipReason?.code, forKey: .skipCode)
        try container.encodeIfPresent(outcome.skipReason?.after?.text, forKey: .skipAfter)
        try container.encodeIfPresent(message, forKey: .message)
        try container.encodeIfPresent(dnsCheck, forKey: .dnsCheck)
        try container.encodeIfPresent(dnsConfirmed, forKey: .dnsConfirmed)
        try container.encodeIfPresent(nextAttemptAt, forKey: .nextAttemptAt)
        try container.encode(stopped, forKey: .stopped)
        try container.encode(dryRun, forKey: .dryRun)
        try container.encodeIfPresent(historyError, forKey: .historyError)
    }
}
