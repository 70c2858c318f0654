import DDNS
import Foundation
import History
import InternetAddress
import Testing

@Suite struct DDNSPolicyDecisionTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let rules = DDNSPolicyRules(minimumInterval: .seconds(5 * 60))

    func minutes(_ value: Double) -> TimeInterval { value * 60 }

    func confirmedState(_ address: IPAddress = "198.51.100.7", at time: Date? = nil) -> DDNSRecordState {
        var state = DDNSPolicy.initialState(provider: "dyndns", hostname: "home.example.net", family: .ipv4, fingerprint: "fp-1")
        state = DDNSPolicy.apply(result: PolicyAttemptResult(address: address, fingerprint: "fp-1", outcome: .updated),
                                 to: state, rules: rules, now: time ?? t0)
        return state
    }

    @Test func noHistoryMeansAFirstUpdate() {
        let decision = DDNSPolicy.decide(state: nil, desiredAddress: "198.51.100.7", fingerprint: "fp-1", rules: rules, now: t0)
        #expect(decision == .attempt(.firstUpdate))
    }

    @Test func unchangedAddressIsNotSentAndForceSendsIt() {
        let state = confirmedState()
        let later = t0.addingTimeInterval(minutes(60))
        #expect(DDNSPolicy.decide(state: state, desiredAddress: "198.51.100.7", fingerprint: "fp-1", rules: rules, now: later)
                == .skip(.unchanged))
        #expect(DDNSPolicy.decide(state: state, desiredAddress: "198.51.100.7", fingerprint: "fp-1", rules: rules, now: later, force: true)
                == .attempt(.forced))
        #expect(DDNSPolicy.decide(state: state, desiredAddress: "198.51.100.8", fingerprint: "fp-1", rules: rules, now: later)
                == .attempt(.addressChanged))
    }

    @Test func ipv6AddressesCompareByValueNotSpelling() {
        var state = DDNSPolicy.initialState(provider: "dyndns", hostname: "home.example.net", family: .ipv6, fingerprint: "fp-1")
        state = DDNSPolicy.apply(result: PolicyAttemptResult(address: "2001:0DB8:0:0::1", fingerprint: "fp-1", outcome: .nochange),
                                 to: state, rules: rules, now: t0)
        #expect(state.confirmedAddress == "2001:db8::1")
        let decision = DDNSPolicy.decide(state: state, desiredAddress: "2001:db8::1", fingerprint: "fp-1", rules: rules,
                                         now: t0.addingTimeInterval(minutes(60)))
        #expect(decision == .skip(.unchanged))
    }

    @Test func stopHoldsEvenWithForceUntilTheConfigurationChanges() {
        var state = confirmedState()
        state = DDNSPolicy.apply(result: PolicyAttemptResult(address: "198.51.100.8", fingerprint: "fp-1", outcome: .authError),
                                 to: state, rules: rules, now: t0)
        #expect(state.stopped)
        #expect(state.confirmedAddress == "198.51.100.7")
        let muchLater = t0.addingTimeInterval(minutes(60 * 24 * 30))
        let forced = DDNSPolicy.decide(state: state, desiredAddress: "198.51.100.8", fingerprint: "fp-1", rules: rules, now: muchLater, force: true)
        #expect(forced == .skip(.stopped(after: .authError)))
        #expect(forced.description.contains("--force does not override"))
        let fixed = DDNSPolicy.decide(state: state, desiredAddress: "198.51.100.8", fingerprint: "fp-2", rules: rules, now: muchLater)
        #expect(fixed == .attempt(.configurationChanged))
        // Success with the new configuration clears the stop for good.
        let after = DDNSPolicy.apply(result: PolicyAttemptResult(address: "198.51.100.8", fingerprint: "fp-2", outcome: .updated),
                                     to: state, rules: rules, now: muchLater)
        #expect(!after.stopped && after.failures == 0 && after.configFingerprint == "fp-2")
    }

    @Test func everyDefaultStopOutcomeStops() {
        for outcome: DDNSOutcome in [.authError, .hostError, .abuseStop] {
            let state = DDNSPolicy.apply(result: PolicyAttemptResult(address: "198.51.100.8", fingerprint: "fp-1", outcome: outcome),
                                         to: confirmedState(), rules: rules, now: t0)
            #expect(state.stopped, "\(outcome) should stop the record")
        }
        for outcome: DDNSOutcome in [.retryLater, .error, .unrecognized("something_new")] {
            let state = DDNSPolicy.apply(result: PolicyAttemptResult(address: "198.51.100.8", fingerprint: "fp-1", outcome: outcome),
                                         to: confirmedState(), rules: rules, now: t0)
            #expect(!state.stopped && state.nextAttemptAt != nil, "\(outcome) should back off, not stop")
        }
    }

    @Test func aRetryLaterMinimumHoldsAgainstForceButOurOwnErrorBackoffDoesNot() {
        let dyndns2 = DDNSPolicyRules(refreshInterval: .seconds(25 * 86400))
        // The 30 minutes come with the answer: the dyndns2 file's `911` rule has retry_after = "30m".
        let failed = DDNSPolicy.apply(result: PolicyAttemptResult(address: "198.51.100.8", fingerprint: "fp-1", outcome: .retryLater,
                                                                  retryAfter: .seconds(1800)),
                                      to: confirmedState(), rules: dyndns2, now: t0)
        #expect(failed.nextAttemptAt == t0.addingTimeInterval(minutes(30)))
        let at29 = t0.addingTimeInterval(minutes(29))
        let forced = DDNSPolicy.decide(state: failed, desiredAddress: "198.51.100.8", fingerprint: "fp-1", rules: dyndns2, now: at29, force: true)
        #expect(forced == .skip(.backingOff(until: t0.addingTimeInterval(minutes(30)), after: .retryLater)))
        #expect(DDNSPolicy.decide(state: failed, desiredAddress: "198.51.100.8", fingerprint: "fp-1", rules: dyndns2,
                                  now: t0.addingTimeInterval(minutes(30))) == .attempt(.addressChanged))

        let errored = DDNSPolicy.apply(result: PolicyAttemptResult(address: "198.51.100.8", fingerprint: "fp-1", outcome: .error),
                                       to: confirmedState(), rules: dyndns2, now: t0)
        #expect(errored.nextAttemptAt == t0.addingTimeInterval(minutes(5)))
        let soon = t0.addingTimeInterval(minutes(1))
        #expect(DDNSPolicy.decide(state: errored, desiredAddress: "198.51.100.8", fingerprint: "fp-1", rules: dyndns2, now: soon)
                == .skip(.backingOff(until: t0.addingTimeInterval(minutes(5)), after: .error)))
        #expect(DDNSPolicy.decide(state: errored, desiredAddress: "198.51.100.8", fingerprint: "fp-1", rules: dyndns2, now: soon, force: true)
                == .attempt(.addressChanged))
    }

    @Test func backoffDoublesUpToTheCap() {
        let backoff = PolicyBackoff(initial: .seconds(300), maximum: .seconds(6 * 3600))
        let delays = (1...9).map { backoff.delay(afterConsecutiveFailures: $0) }
        #expect(delays == [.seconds(300), .seconds(600), .seconds(1200), .seconds(2400), .seconds(4800), .seconds(9600),
                           .seconds(19200), .seconds(21600), .seconds(21600)])
        #expect(backoff.delay(afterConsecutiveFailures: Int.max) == .seconds(21600))
    }

    @Test func theProvidersHintWinsWhenLonger() {
        let long = DDNSPolicy.apply(result: PolicyAttemptResult(address: "198.51.100.8", fingerprint: "fp-1", outcome: .retryLater,
                                                                retryAfter: .seconds(7200)),
                                    to: confirmedState(), rules: rules, now: t0)
        #expect(long.nextAttemptAt == t0.addingTimeInterval(7200))
        let short = DDNSPolicy.apply(result: PolicyAttemptResult(address: "198.51.100.8", fingerprint: "fp-1", outcome: .retryLater,
                                                                 retryAfter: .seconds(60)),
                                     to: confirmedState(), rules: rules, now: t0)
        #expect(short.nextAttemptAt == t0.addingTimeInterval(300))
    }

    @Test func minimumIntervalSpacesRequestsUnlessForced() {
        let state = confirmedState()
        let soon = t0.addingTimeInterval(minutes(2))
        #expect(DDNSPolicy.decide(state: state, desiredAddress: "198.51.100.9", fingerprint: "fp-1", rules: rules, now: soon)
                == .skip(.minimumInterval(until: t0.addingTimeInterval(minutes(5)))))
        #expect(DDNSPolicy.decide(state: state, desiredAddress: "198.51.100.9", fingerprint: "fp-1", rules: rules, now: soon, force: true)
                == .attempt(.addressChanged))
        #expect(DDNSPolicy.decide(state: state, desiredAddress: "198.51.100.9", fingerprint: "fp-1", rules: rules,
                                  now: t0.addingTimeInterval(minutes(5))) == .attempt(.addressChanged))
    }

    @Test func refreshIsDueAfterTheIntervalSinceTheLastConfirmation() {
        let noip = DDNSPolicyRules(refreshInterval: .seconds(25 * 86400))
        let state = confirmedState()
        #expect(DDNSPolicy.decide(state: state, desiredAddress: "198.51.100.7", fingerprint: "fp-1", rules: noip,
                                  now: t0.addingTimeInterval(25 * 86400 - 60)) == .skip(.unchanged))
        #expect(DDNSPolicy.decide(state: state, desiredAddress: "198.51.100.7", fingerprint: "fp-1", rules: noip,
                                  now: t0.addingTimeInterval(25 * 86400)) == .attempt(.refreshDue))
        #expect(DDNSPolicy.decide(state: state, desiredAddress: "198.51.100.7", fingerprint: "fp-1", rules: .standard,
                                  now: t0.addingTimeInterval(400 * 86400)) == .skip(.unchanged))
    }

    @Test func storedMessagesAreOneBoundedLineWithoutSecrets() {
        let secret = "s3cr3t/p@ss"
        let raw = "GET https://example.net/update?password=\(secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            + " failed\nagain with \(secret) and \(Data(secret.utf8).base64EncodedString())" + String(repeating: "x", count: 1000)
        let cleaned = PolicyMessage.sanitized(raw, secrets: [secret])
        #expect(!cleaned.contains(secret))
        #expect(!cleaned.contains("s3cr3t"))
        #expect(!cleaned.contains("\n"))
        #expect(cleaned.count == PolicyMessage.maximumLength)
        #expect(cleaned.contains("password=<redacted>"))
    }
}
