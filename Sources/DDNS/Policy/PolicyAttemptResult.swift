import History
import InternetAddress

/// What came of one update request, as the policy needs it. The round builds it from the engine's
/// answer; the message must already be free of secrets (the round redacts it again anyway).
public struct PolicyAttemptResult: Sendable, Equatable {
    /// The address that was sent.
    public var address: IPAddress
    /// The configuration fingerprint the request was made with.
    public var fingerprint: String
    /// One of `DDNSOutcome.answers`; anything else counts as `error`.
    public var outcome: DDNSOutcome
    public var message: String?
    /// The provider's own "not before" hint (`Retry-After`, `wait 30m`); the later of it and the
    /// rules' back-off wins.
    public var retryAfter: Duration?

    public init(address: IPAddress, fingerprint: String, outcome: DDNSOutcome, message: String? = nil, retryAfter: Duration? = nil) {
        self.address = address
        self.fingerprint = fingerprint
        self.outcome = outcome
        self.message = message
        self.retryAfter = retryAfter
    }
}
