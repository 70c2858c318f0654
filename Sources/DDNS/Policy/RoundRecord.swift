import History
import InternetAddress

/// One record (provider, hostname, address family) a round manages, with the engine's two entry
/// points as closures so the policy never depends on the engine's types.
public struct RoundRecord: Sendable {
    public var provider: String
    public var hostname: String
    /// `ConfigFingerprint.digest(...)` of the record's configuration.
    public var fingerprint: String
    public var desiredAddress: IPAddress
    public var rules: DDNSPolicyRules
    /// The record's resolved secret values, only so they can be scrubbed from any message before
    /// it is stored or reported. Never stored.
    public var secrets: [String]
    /// Sends the update for this address and classifies the provider's answer.
    public var attempt: @Sendable (_ address: IPAddress) async -> RoundAttemptResult
    /// Looks the hostname up (authoritative server preferred) after an `updated`; nil when the
    /// record cannot be checked by DNS.
    public var confirm: (@Sendable (_ hostname: String, _ address: IPAddress) async -> RoundConfirmResult)?

    public init(provider: String, hostname: String, fingerprint: String, desiredAddress: IPAddress,
                rules: DDNSPolicyRules, secrets: [String] = [],
                attempt: @escaping @Sendable (_ address: IPAddress) async -> RoundAttemptResult,
                confirm: (@Sendable (_ hostname: String, _ address: IPAddress) async -> RoundConfirmResult)? = nil) {
        self.provider = provider
        self.hostname = hostname
        self.fingerprint = fingerprint
        self.desiredAddress = desiredAddress
        self.rules = rules
        self.secrets = secrets
        self.attempt = attempt
        self.confirm = confirm
    }

    /// The family of `desiredAddress`: a record is one hostname's A or AAAA.
    public var family: IPFamily { desiredAddress.family }

    public var key: String { DDNSRecordState.key(provider: provider, hostname: hostname, family: family) }
}

/// The engine's answer to one update request.
public struct RoundAttemptResult: Sendable, Equatable {
    /// One of `DDNSOutcome.answers`; anything else is stored as `error`.
    public var outcome: DDNSOutcome
    /// Already redacted by the engine; the round scrubs the record's secrets again and caps it.
    public var message: String?
    /// The provider's "not before" hint, if it gave one.
    public var retryAfter: Duration?

    public init(outcome: DDNSOutcome, message: String? = nil, retryAfter: Duration? = nil) {
        self.outcome = outcome
        self.message = message
        self.retryAfter = retryAfter
    }
}

/// What a DNS lookup of the hostname showed after an update.
public enum RoundConfirmResult: Sendable, Equatable {
    case confirmed
    /// The name answers with other addresses (or none): usually propagation right after an update.
    case mismatch(seen: [IPAddress])
    /// No lookup possible (no resolver reachable, the provider proxies the name, …).
    case unavailable(reason: String)
}
