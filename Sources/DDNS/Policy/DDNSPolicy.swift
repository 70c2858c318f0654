import Foundation
import History
import InternetAddress

/// The update policy as pure functions of the record's remembered state and an injected `now`,
/// so every rule can be tested without waiting and without a provider.
///
/// The rules (docs/ddns-policy.md#when-a-record-is-sent): update only when the address differs from the last confirmed one,
/// never on every poll; stop codes halt the record until its configuration changes; `retry_later`
/// and errors back off exponentially, from the protocol's floor where it demands one; a per-provider
/// minimum interval spaces requests; providers that expire idle hosts get a periodic refresh.
/// Nothing here looks at DNS to decide whether to update (Dyn's client policy forbids that).
public enum DDNSPolicy {
    /// A record the policy has never seen.
    public static func initialState(provider: String, hostname: String, family: IPFamily, fingerprint: String) -> DDNSRecordState {
        DDNSRecordState(key: DDNSRecordState.key(provider: provider, hostname: hostname, family: family),
                        provider: provider, hostname: hostname, family: family, configFingerprint: fingerprint)
    }

    /// Whether to send `desiredAddress` now. `force` (the user's `--force`) bypasses "unchanged" and
    /// the minimum interval, and our own back-off after `error`; never a stop, and never the wait a
    /// provider demanded with `retry_later`.
    public static func decide(state: DDNSRecordState?, desiredAddress: IPAddress, fingerprint: String,
                              rules: DDNSPolicyRules, now: Date, force: Bool = false) -> PolicyDecision {
        guard let state else { return .attempt(.firstUpdate) }
        let configurationChanged = state.configFingerprint != fingerprint

        // A changed configuration is the user's intervention: it lifts a stop and the back-off.
        if !configurationChanged {
            if state.stopped {
                return .skip(.stopped(after: state.lastOutcome))
            }
        }

        let reason: PolicyAttemptReason
        if configurationChanged {
            reason = .configurationChanged
        } else if state.confirmedAddress == desiredAddress {
            if let refresh = rules.refreshInterval, let confirmedAt = state.confirmedAt,
               now >= confirmedAt.addingTimeInterval(refresh.policySeconds) {
                reason = .refreshDue
            } else if force {
                reason = .forced
            } else {
                return .skip(.unchanged)
            }
        } else {
            reason = state.confirmedAddress == nil && state.lastAttemptAt == nil ? .firstUpdate : .addressChanged
        }

        if !configurationChanged, let next = state.nextAttemptAt, now < next {
            let skip = DDNSSkipReason.backingOff(until: next, after: state.lastOutcome ?? .error)
            if !(force && skip.forceOverrides) { return .skip(skip) }
        }

        if !force, let last = state.lastAttemptAt {
            let earliest = last.addingTimeInterval(rules.minimumInterval.policySeconds)
            if now < earliest { return .skip(.minimumInterval(until: earliest)) }
        }
        return .attempt(reason)
    }

    /// The record's state after an attempt that ended in `result` at `now`.
    public static func apply(result: PolicyAttemptResult, to state: DDNSRecordState,
                             rules: DDNSPolicyRules, now: Date) -> DDNSRecordState {
        var next = state
        if next.configFingerprint != result.fingerprint {
            next.configFingerprint = result.fingerprint
            next.stopped = false
            next.failures = 0
            next.nextAttemptAt = nil
        }
        next.lastAttemptAt = now
        next.lastOutcome = result.outcome
        next.lastMessage = result.message.map { PolicyMessage.capped($0) }
        let hint = result.retryAfter.map { now.addingTimeInterval($0.policySeconds) }

        if result.outcome.isSuccess {
            // The provider's answer is what counts: DNS may lag behind it (propagation, caches),
            // and re-sending because of a lagging lookup would earn a `nochg` abuse block.
            next.confirmedAddress = result.address
            next.confirmedAt = now
            next.failures = 0
            next.stopped = false
            next.nextAttemptAt = hint
        } else if rules.stopOutcomes.contains(result.outcome) {
            next.failures += 1
            next.stopped = true
            next.nextAttemptAt = nil
        } else {
            next.failures += 1
            let delay = rules.errorBackoff.delay(afterConsecutiveFailures: next.failures)
            let backoff = now.addingTimeInterval(delay.policySeconds)
            next.nextAttemptAt = hint.map { Swift.max($0, backoff) } ?? backoff
        }
        return next
    }
}
