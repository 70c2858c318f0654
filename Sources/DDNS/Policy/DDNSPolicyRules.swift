/// What one provider demands of an updating client, beyond "never re-send an unchanged address".
/// The provider definitions choose these; the defaults suit a REST API that asks nothing special.
public struct DDNSPolicyRules: Sendable, Equatable, Codable {
    /// No request for a record sooner than this after the previous one (ddclient's `min-interval`,
    /// ddns-updater's cooldown). `--force` may bypass it.
    public var minimumInterval: Duration
    /// The least wait after `retry_later` when the protocol demands one (No-IP and Dyn: 30 minutes
    /// after `911`/`dnserr`); the wait then doubles from there. `--force` never bypasses it. Nil:
    /// `retry_later` backs off like `error`.
    public var retryLaterFloor: Duration?
    /// Back-off after `error` (and after `retry_later` without a floor).
    public var errorBackoff: PolicyBackoff
    /// Re-send the unchanged address this long after the last confirmation, for providers that
    /// expire idle hosts (dy.fi: 5 days; No-IP and Dynu: 25 days). Nil: never.
    public var refreshInterval: Duration?
    /// Outcomes that halt the record until its configuration changes (the provider's rules forbid
    /// retrying them without user intervention).
    public var stopOutcomes: Set<String>

    public static let defaultStopOutcomes: Set<String> = [DDNSOutcomeName.authError, DDNSOutcomeName.hostError, DDNSOutcomeName.abuseStop]
    public static let defaultErrorBackoff = PolicyBackoff(initial: .seconds(5 * 60), maximum: .seconds(6 * 3600))

    public init(minimumInterval: Duration = .seconds(5 * 60),
                retryLaterFloor: Duration? = nil,
                errorBackoff: PolicyBackoff = DDNSPolicyRules.defaultErrorBackoff,
                refreshInterval: Duration? = nil,
                stopOutcomes: Set<String> = DDNSPolicyRules.defaultStopOutcomes) {
        self.minimumInterval = minimumInterval
        self.retryLaterFloor = retryLaterFloor
        self.errorBackoff = errorBackoff
        self.refreshInterval = refreshInterval
        self.stopOutcomes = stopOutcomes
    }

    /// A provider with no special demands: 5 minutes between requests, back-off from 5 minutes
    /// doubling to 6 hours, no refresh.
    public static let standard = DDNSPolicyRules()

    /// The dyndns2 family (spec §1.4, §1.6): at least 30 minutes after `911`/`dnserr`, and a refresh
    /// after 25 days because several of these providers expire idle hosts.
    public static let dyndns2 = DDNSPolicyRules(retryLaterFloor: .seconds(30 * 60), refreshInterval: .seconds(25 * 86400))
}
