import History

/// What one RFC 2136 update attempt came to.
public struct RFC2136Result: Sendable, Hashable, CustomStringConvertible {
    /// One of `DDNSOutcome.answers`.
    public var outcome: DDNSOutcome
    /// For the user and the log: what happened, with the server's code. Never contains the secret.
    public var message: String
    /// The zone the update was sent for (given, or found by SOA look-up).
    public var zone: String?
    /// The server's response code (extended by the TSIG error), when it answered.
    public var responseCode: String?
    /// True when the failure is clock skew (BADTIME, or an answer signed too far from our time).
    public var clockSkew: Bool

    public init(outcome: DDNSOutcome, message: String, zone: String? = nil, responseCode: String? = nil, clockSkew: Bool = false) {
        self.outcome = outcome
        self.message = message
        self.zone = zone
        self.responseCode = responseCode
        self.clockSkew = clockSkew
    }

    public var description: String { "\(outcome.text): \(message)" }
}
