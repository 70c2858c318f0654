import Foundation

/// How a DDNS record fared in a round: the provider's answer to an update (the seven answers a
/// provider file or adapter may give, docs/ddns-policy.md#outcomes), or why nothing was sent. The one vocabulary from the
/// adapter through the policy, the daemon and the control socket into the history and the JSON
/// output; `text` is its only spelling, used by the history's columns and every JSON field.
///
/// It lives beside `DDNSRecordState` because the history stores it; DDNS, Daemon and Reports
/// take it from here.
public enum DDNSOutcome: Sendable, Hashable, CustomStringConvertible {
    /// The provider changed the record to the address sent.
    case updated
    /// The provider already held the address sent.
    case nochange
    /// The credentials were refused: a stop until the configuration changes.
    case authError
    /// The provider does not know the host, or refuses the request as malformed: a stop.
    case hostError
    /// The provider asked to come back later (rate limit, maintenance, 5xx, a timeout).
    case retryLater
    /// The provider blocked the client for abuse: a stop.
    case abuseStop
    /// Anything else that went wrong; backed off and retried.
    case error
    /// The policy sent nothing for this record this round.
    indirect case skipped(DDNSSkipReason)
    /// A dry run would have sent the update.
    case wouldUpdate
    /// Text from the history or a reply that names none of the above (a newer or an older
    /// homeport wrote it); kept verbatim so it can be shown, never guessed at.
    case unrecognized(String)

    /// What a provider or adapter may answer: the only outcomes an update attempt can have,
    /// and the only names a provider file may use.
    public static let answers: [DDNSOutcome] = [.updated, .nochange, .authError, .hostError, .retryLater, .abuseStop, .error]

    /// The outcome's one spelling in history columns and JSON (`skipped` alone; the reason is
    /// spelled by `DDNSSkipReason.code`).
    public var text: String {
        switch self {
        case .updated: return "updated"
        case .nochange: return "nochange"
        case .authError: return "auth_error"
        case .hostError: return "host_error"
        case .retryLater: return "retry_later"
        case .abuseStop: return "abuse_stop"
        case .error: return "error"
        case .skipped: return Self.skippedText
        case .wouldUpdate: return "would_update"
        case .unrecognized(let text): return text
        }
    }

    public var description: String { text }

    static let skippedText = "skipped"

    /// Reads `text` back. A `skipped` needs its reason as well (see the other initialiser); alone
    /// it is not a complete outcome and stays unrecognised, as does every unknown word.
    public init(text: String) {
        if let known = (Self.answers + [.wouldUpdate]).first(where: { $0.text == text }) {
            self = known
        } else {
            self = .unrecognized(text)
        }
    }

    /// Reads an outcome and, for `skipped`, its reason's fields, as `RoundRecordReport` writes
    /// them to JSON.
    public init(text: String, skipCode: String?, until: Date?, after: String?) {
        if text == Self.skippedText, let reason = DDNSSkipReason(code: skipCode, until: until, after: after.map(DDNSOutcome.init(text:))) {
            self = .skipped(reason)
        } else {
            self.init(text: text)
        }
    }

    /// One of the seven answers an update attempt can have.
    public var isAnswer: Bool { Self.answers.contains(self) }

    /// The provider confirmed the record holds the address.
    public var isSuccess: Bool { self == .updated || self == .nochange }

    /// Stop outcomes halt updates of the record until its configuration changes (or the user
    /// forces an update); the stop is persisted across restarts.
    public var isStop: Bool { self == .authError || self == .hostError || self == .abuseStop }

    /// An attempt that did not put the address in place (unrecognised text counts: nobody can
    /// say it worked). Skips and dry runs are no attempt.
    public var isFailure: Bool {
        switch self {
        case .updated, .nochange, .skipped, .wouldUpdate: return false
        case .authError, .hostError, .retryLater, .abuseStop, .error, .unrecognized: return true
        }
    }

    public var skipReason: DDNSSkipReason? {
        if case .skipped(let reason) = self { return reason }
        return nil
    }
}

/// A single JSON value: the outcome's `text`. A skip's reason does not fit in one word, so
/// encoding `skipped` alone is refused; `RoundRecordReport` writes it with its fields beside it.
extension DDNSOutcome: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(text: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        guard skipReason == nil else {
            throw EncodingError.invalidValue(self, .init(codingPath: encoder.codingPath,
                                                         debugDescription: "a skip is written with its reason's fields (RoundRecordReport)"))
        }
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

/// Why the policy sent nothing for a record.
public enum DDNSSkipReason: Sendable, Hashable {
    /// The provider already holds this address.
    case unchanged
    /// A stop code (`after`) halted the record; only a configuration change lifts it.
    case stopped(after: DDNSOutcome?)
    /// Backing off after `after` until `until`.
    case backingOff(until: Date, after: DDNSOutcome)
    /// The provider's minimum interval between requests has not passed.
    case minimumInterval(until: Date)
    /// The history could not be read, so the last confirmed address is unknown.
    case historyUnavailable

    /// Short machine name (`skip_code` in JSON).
    public var code: String {
        switch self {
        case .unchanged: return "unchanged"
        case .stopped: return "stopped"
        case .backingOff: return "backing_off"
        case .minimumInterval: return "minimum_interval"
        case .historyUnavailable: return "history_unavailable"
        }
    }

    /// Whether `--force` sends anyway: over our own back-off after `error`, yes; over the wait a
    /// provider demanded with `retry_later`, or a stop, no.
    public var forceOverrides: Bool {
        switch self {
        case .unchanged, .minimumInterval: return true
        case .backingOff(_, let after): return after != .retryLater
        case .stopped, .historyUnavailable: return false
        }
    }

    /// The time the skip ends, when it has one.
    public var until: Date? {
        switch self {
        case .backingOff(let until, _), .minimumInterval(let until): return until
        case .unchanged, .stopped, .historyUnavailable: return nil
        }
    }

    /// The outcome that caused a stop or a back-off.
    public var after: DDNSOutcome? {
        switch self {
        case .stopped(let after): return after
        case .backingOff(_, let after): return after
        case .unchanged, .minimumInterval, .historyUnavailable: return nil
        }
    }

    /// Reads the fields `code`, `until` and `after` write; nil when they do not make a reason.
    public init?(code: String?, until: Date?, after: DDNSOutcome?) {
        switch code {
        case "unchanged": self = .unchanged
        case "stopped": self = .stopped(after: after)
        case "backing_off":
            guard let until else { return nil }
            self = .backingOff(until: until, after: after ?? .error)
        case "minimum_interval":
            guard let until else { return nil }
            self = .minimumInterval(until: until)
        case "history_unavailable": self = .historyUnavailable
        default: return nil
        }
    }
}
