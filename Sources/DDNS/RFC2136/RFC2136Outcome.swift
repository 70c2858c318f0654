/// The outcome vocabulary of docs/ddns-policy.md#outcomes, as the RFC 2136 updater reports it. The strings
/// are the ones history and policy use; the engine's own enum may replace this one.
public enum RFC2136Outcome: String, Sendable, Hashable, CaseIterable {
    case updated
    case nochange
    case authError = "auth_error"
    case hostError = "host_error"
    case retryLater = "retry_later"
    case abuseStop = "abuse_stop"
    case error
}

/// What one RFC 2136 update attempt came to.
public struct RFC2136Result: Sendable, Hashable, CustomStringConvertible {
    public var outcome: RFC2136Outcome
    /// For the user and the log: what happened, with the server's code. Never contains the secret.
    public var message: String
    /// The zone the update was sent for (given, or found by SOA look-up).
    public var zone: String?
    /// The server's response code (extended by the TSIG error), when it answered.
    public var responseCode: String?
    /// True when the failure is clock skew (BADTIME, or an answer signed too far from our time).
    public var clockSkew: Bool

    public init(outcome: RFC2136Outcome, message: String, zone: String? = nil, responseCode: String? = nil, clockSkew: Bool = false) {
        self.outcome = outcome
        self.message = message
        self.zone = zone
        self.responseCode = responseCode
        self.clockSkew = clockSkew
    }

    public var description: String { "\(outcome.rawValue): \(message)" }
}
