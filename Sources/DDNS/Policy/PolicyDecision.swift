import Foundation
import History

/// Whether to send an update for a record now, and why.
public enum PolicyDecision: Sendable, Equatable, CustomStringConvertible {
    case attempt(PolicyAttemptReason)
    case skip(DDNSSkipReason)

    public var isAttempt: Bool {
        if case .attempt = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .attempt(let reason): return reason.description
        case .skip(let reason): return reason.explanation
        }
    }
}

public enum PolicyAttemptReason: String, Sendable, Equatable, Codable, CustomStringConvertible {
    /// Nothing known about the record yet (first run, or history lost).
    case firstUpdate = "first_update"
    case addressChanged = "address_changed"
    /// The record's configuration (credentials included) changed since the last attempt.
    case configurationChanged = "configuration_changed"
    /// The provider expires idle hosts and the last confirmation is older than the refresh interval.
    case refreshDue = "refresh_due"
    /// `--force` on an unchanged address.
    case forced

    public var description: String {
        switch self {
        case .firstUpdate: return "no earlier update known for this record"
        case .addressChanged: return "address differs from the last confirmed one"
        case .configurationChanged: return "the record's configuration changed"
        case .refreshDue: return "refresh due (the provider expires idle hosts)"
        case .forced: return "forced (--force) although the address is unchanged"
        }
    }
}

extension DDNSSkipReason {
    /// The reason in words, for `reason` in reports and the `update` table.
    public var explanation: String {
        switch self {
        case .unchanged:
            return "address unchanged since the provider last confirmed it"
        case .stopped(let after):
            return "stopped after \(after?.text ?? "a stop code") until the record's configuration changes (--force does not override a stop)"
        case .backingOff(let until, let after):
            let force = forceOverrides ? "--force overrides it" : "the provider demands the wait; --force does not override it"
            return "backing off after \(after.text) until \(PolicyTime.text(until)) (\(force))"
        case .minimumInterval(let until):
            return "provider's minimum interval between updates: not before \(PolicyTime.text(until)) (--force overrides it)"
        case .historyUnavailable:
            return "history unreadable, not sending (without the last confirmed address any request could be a repeated nochg)"
        }
    }
}

/// Times in reasons and messages: UTC, ISO 8601, to the second.
enum PolicyTime {
    static func text(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }
}

extension Duration {
    var policySeconds: TimeInterval {
        let parts = components
        return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    }
}
