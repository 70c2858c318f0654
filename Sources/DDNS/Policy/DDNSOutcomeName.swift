/// The outcome strings the policy understands, as stored in the history (`ddns_updates.outcome`,
/// `ddns_records.last_outcome`). Plain strings so the engine's own outcome type maps onto them
/// without this module depending on it.
public enum DDNSOutcomeName {
    public static let updated = "updated"
    public static let nochange = "nochange"
    public static let authError = "auth_error"
    public static let hostError = "host_error"
    public static let retryLater = "retry_later"
    public static let abuseStop = "abuse_stop"
    public static let error = "error"

    public static let all: [String] = [updated, nochange, authError, hostError, retryLater, abuseStop, error]

    /// The provider holds the address we sent: the only outcomes that confirm it.
    public static func isSuccess(_ outcome: String) -> Bool {
        outcome == updated || outcome == nochange
    }
}
