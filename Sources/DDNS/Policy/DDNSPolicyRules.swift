import History

/// What one provider demands of an updating client, beyond "never re-send an unchanged address".
/// The provider definitions choose these; the defaults suit a REST API that asks nothing special.
public struct DDNSPolicyRules: Sendable, Equatable {
    /// No request for a record sooner than this after the previous one (ddclient's `min-interval`,
    /// ddns-updater's cooldown). `--force` may bypass it.
    public var minimumInterval: Duration
    /// Back-off after `error` and `retry_later`. A protocol's own minimum after `retry_later`
    /// (No-IP and Dyn: 30 minutes after `911`/`dnserr`) comes with the answer, from the provider
    /// file's `retry_after` on the matching rule, and is never shortened.
    public var errorBackoff: PolicyBackoff
    /// Re-send the unchanged address this long after the last confirmation, for providers that
    /// expire idle hosts (dy.fi: 5 days; No-IP and Dynu: 25 days). Nil: never.
    public var refreshInterval: Duration?
    /// Outcomes that halt the record until its configuration changes (the provider's rules forbid
    /// retrying them without user intervention).
    public var stopOutcomes: Set<DDNSOutcome>

    public static let defaultStopOutcomes: Set<DDNSOutcome> = Set(DDNSOutcome.answers.filter(\.isStop))
    /// Without a provider rule, one minute between requests: a changed address goes out at once,
    /// a flapping one cannot turn into a stream of requests.
    public static let defaultMinimumInterval: Duration = .seconds(60)
    public static let defaultErrorBackoff = PolicyBackoff(initial: .seconds(5 * 60), maximum: .seconds(6 * 3600))

    public init(minimumInterval: Duration = DDNSPolicyRules.defaultMinimumInterval,
                errorBackoff: PolicyBackoff = DDNSPolicyRules.defaultErrorBackoff,
                refreshInterval: Duration? = nil,
                stopOutcomes: Set<DDNSOutcome> = DDNSPolicyRules.defaultStopOutcomes) {
        self.minimumInterval = minimumInterval
        self.errorBackoff = errorBackoff
        self.refreshInterval = refreshInterval
        self.stopOutcomes = stopOutcomes
    }

    /// A provider with no special demands: a minute between requests, back-off from 5 minutes
    /// doubling to 6 hours, no refresh.
    public static let standard = DDNSPolicyRules()
}
