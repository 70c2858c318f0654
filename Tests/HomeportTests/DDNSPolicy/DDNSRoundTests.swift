import Config
import DDNS
import Foundation
import History
import InternetAddress
import Synchronization
import Testing

@Suite struct DDNSRoundTests {
    @Test func unchangedAddressIsSentOnceAndThenNeverOnPolls() async throws {
        let db = PolicyTestHistory()
        defer { db.remove() }
        let clock = PolicyTestClock()
        let provider = CountingProvider()
        let round = DDNSRound(history: try db.open(), clock: clock.closure)

        let first = await round.run([provider.record(address: "198.51.100.7")])
        #expect(first.map(\.outcome) == [.updated])
        for _ in 0..<50 {
            clock.advance(minutes: 5)
            let reports = await round.run([provider.record(address: "198.51.100.7")])
                        #expect(reports.first?.outcome.skipReason?.code == "unchanged")
        }
        #expect(provider.attempts == 1)

        clock.advance(minutes: 5)
        let changed = await round.run([provider.record(address: "198.51.100.8")])
        #expect(changed.first?.outcome == .updated)
        clock.advance(minutes: 5)
        _ = await round.run([provider.record(address: "198.51.100.8")])
        #expect(provider.sent == ["198.51.100.7", "198.51.100.8"])

        let rows = try db.open().ddnsResults(since: .distantPast)
        #expect(rows.map(\.outcome) == [.updated, .updated])
    }

    @Test func stopCodeHaltsTheRecordUntilItsConfigurationChanges() async throws {
        let db = PolicyTestHistory()
        defer { db.remove() }
        let clock = PolicyTestClock()
        let provider = CountingProvider(answer: RoundAttemptResult(outcome: .authError, message: "badauth"))
        let round = DDNSRound(history: try db.open(), clock: clock.closure)

        _ = await round.run([provider.record(address: "198.51.100.7", fingerprint: "old-password")])
        #expect(provider.attempts == 1)
        for index in 0..<100 {
            clock.advance(minutes: 30)
            let address: IPAddress = index.isMultiple(of: 2) ? "198.51.100.7" : "198.51.100.9"
            let reports = await round.run([provider.record(address: address, fingerprint: "old-password")], force: index.isMultiple(of: 3))
            #expect(reports.first?.outcome.skipReason?.code == "stopped")
            #expect(reports.first?.stopped == true)
        }
        #expect(provider.attempts == 1)

        provider.answer(.updated)
        let fixed = await round.run([provider.record(address: "198.51.100.9", fingerprint: "new-password")])
        #expect(fixed.first?.outcome == .updated)
        #expect(fixed.first?.stopped == false)
        clock.advance(minutes: 30)
        _ = await round.run([provider.record(address: "198.51.100.9", fingerprint: "new-password")])
        #expect(provider.attempts == 2)
    }

    @Test func retryLaterWaitsTheProtocolsThirtyMinutes() async throws {
        let db = PolicyTestHistory()
        defer { db.remove() }
        let clock = PolicyTestClock()
        // As the dyndns2 file's `911` rule answers: retry_after = "30m".
        let provider = CountingProvider(answer: RoundAttemptResult(outcome: .retryLater, message: "911", retryAfter: .seconds(1800)))
        let round = DDNSRound(history: try db.open(), clock: clock.closure)
        let record = { provider.record(address: "198.51.100.7") }

        _ = await round.run([record()])
        #expect(provider.attempts == 1)
        provider.answer(.updated)
        clock.advance(minutes: 29)
        let early = await round.run([record()], force: true)
        #expect(early.first?.outcome.skipReason?.code == "backing_off")
        #expect(early.first?.reason.contains("--force does not override") == true)
        #expect(provider.attempts == 1)
        clock.advance(minutes: 1)
        let due = await round.run([record()])
        #expect(due.first?.outcome == .updated)
        #expect(provider.attempts == 2)
    }

    @Test func aProviderDownForADayGetsABoundedNumberOfRequests() async throws {
        for (outcome, rules) in [(DDNSOutcome.error, DDNSPolicyRules.standard), (.retryLater, DDNSPolicyRules(refreshInterval: .seconds(25 * 86400)))] {
            let db = PolicyTestHistory()
            defer { db.remove() }
            let clock = PolicyTestClock()
            let provider = CountingProvider(answer: RoundAttemptResult(outcome: outcome, message: "HTTP 503"))
            let round = DDNSRound(history: try db.open(), clock: clock.closure)
            for _ in 0..<(24 * 12) {
                _ = await round.run([provider.record(address: "198.51.100.7", rules: rules)])
                clock.advance(minutes: 5)
            }
            #expect(provider.attempts >= 5, "\(outcome): the record must keep trying")
            #expect(provider.attempts <= 12, "\(outcome): \(provider.attempts) requests in 24 h")
            let state = try db.open().ddnsRecordStates().first
            #expect(state?.failures == provider.attempts)
            #expect(state?.stopped == false)
        }
    }

    @Test func minimumIntervalDefersAQuickSecondChange() async throws {
        let db = PolicyTestHistory()
        defer { db.remove() }
        let clock = PolicyTestClock()
        let provider = CountingProvider()
        let round = DDNSRound(history: try db.open(), clock: clock.closure)
        let rules = DDNSPolicyRules(minimumInterval: .seconds(600))

        _ = await round.run([provider.record(address: "198.51.100.7", rules: rules)])
        clock.advance(minutes: 4)
        let deferred = await round.run([provider.record(address: "198.51.100.8", rules: rules)])
        #expect(deferred.first?.outcome.skipReason?.code == "minimum_interval")
        #expect(deferred.first?.nextAttemptAt == clock.now.addingTimeInterval(6 * 60))
        clock.advance(minutes: 5)
        _ = await round.run([provider.record(address: "198.51.100.8", rules: rules)])
        #expect(provider.attempts == 1)
        clock.advance(minutes: 1)
        _ = await round.run([provider.record(address: "198.51.100.8", rules: rules)])
        #expect(provider.sent == ["198.51.100.7", "198.51.100.8"])
    }

    @Test func refreshResendsAnUnchangedAddressAfterTheInterval() async throws {
        let db = PolicyTestHistory()
        defer { db.remove() }
        let clock = PolicyTestClock()
        let provider = CountingProvider()
        let round = DDNSRound(history: try db.open(), clock: clock.closure)
        let rules = DDNSPolicyRules(refreshInterval: .seconds(25 * 86400))

        _ = await round.run([provider.record(address: "198.51.100.7", rules: rules)])
        provider.answer(.nochange)
        for _ in 0..<24 {
            clock.advance(days: 1)
            _ = await round.run([provider.record(address: "198.51.100.7", rules: rules)])
        }
        #expect(provider.attempts == 1)
        clock.advance(days: 1)
        let refreshed = await round.run([provider.record(address: "198.51.100.7", rules: rules)])
        #expect(refreshed.first?.outcome == .nochange)
        #expect(refreshed.first?.reason.contains("refresh") == true)
        clock.advance(days: 1)
        _ = await round.run([provider.record(address: "198.51.100.7", rules: rules)])
        #expect(provider.attempts == 2)
    }

    @Test func dryRunDecidesButSendsAndSavesNothing() async throws {
        let db = PolicyTestHistory()
        defer { db.remove() }
        let clock = PolicyTestClock()
        let provider = CountingProvider()
        let history = try db.open()
        let round = DDNSRound(history: history, clock: clock.closure)

        let reports = await round.run([provider.record(address: "198.51.100.7", checksDNS: true)], dryRun: true, force: true)
        #expect(reports.first?.outcome == .wouldUpdate)
        #expect(reports.first?.dryRun == true)
        #expect(provider.attempts == 0 && provider.lookups == 0)
        #expect(try history.ddnsRecordStates().isEmpty)
        #expect(try history.ddnsResults(since: .distantPast).isEmpty)

        _ = await round.run([provider.record(address: "198.51.100.7")])
        let unchanged = await round.run([provider.record(address: "198.51.100.7")], dryRun: true)
        #expect(unchanged.first?.outcome.skipReason?.code == "unchanged")
        clock.advance(minutes: 10)
        let wouldChange = await round.run([provider.record(address: "198.51.100.99")], dryRun: true)
        #expect(wouldChange.first?.outcome == .wouldUpdate)
        #expect(try history.ddnsRecordStates().first?.confirmedAddress == "198.51.100.7")
        #expect(try history.ddnsResults(since: .distantPast).count == 1)
        #expect(provider.attempts == 1)
    }

    @Test func stateSurvivesReopeningTheDatabase() async throws {
        let db = PolicyTestHistory()
        defer { db.remove() }
        let clock = PolicyTestClock()
        let provider = CountingProvider()
        do {
            let round = DDNSRound(history: try db.open(), clock: clock.closure)
            _ = await round.run([provider.record(address: "198.51.100.7"),
                                 provider.record(hostname: "other.example.net", address: "198.51.100.7", fingerprint: "fp-other")])
            provider.answer(.abuseStop)
            clock.advance(minutes: 10)
            _ = await round.run([provider.record(hostname: "other.example.net", address: "198.51.100.8", fingerprint: "fp-other")])
        }
        #expect(provider.attempts == 3)

        // A restarted daemon: new store, new round.
        clock.advance(minutes: 10)
        provider.answer(.updated)
        let reopened = try db.open()
        let round = DDNSRound(history: reopened, clock: clock.closure)
        let reports = await round.run([provider.record(address: "198.51.100.7"),
                                       provider.record(hostname: "other.example.net", address: "198.51.100.8", fingerprint: "fp-other")])
        #expect(reports.map(\.outcome.skipReason?.code) == ["unchanged", "stopped"])
        #expect(provider.attempts == 3)
        let states = try reopened.ddnsRecordStates()
        #expect(states.count == 2)
        #expect(states.first { $0.hostname == "other.example.net" }?.lastOutcome == .abuseStop)
    }

    @Test func secretsNeverReachTheDatabaseFiles() async throws {
        let db = PolicyTestHistory()
        defer { db.remove() }
        let clock = PolicyTestClock()
        let secret = "Tr0ub4dor&3-hp-test-secret"
        var entry = DDNSEntry(provider: "dyndns", hostnames: ["home.example.net"])
        entry.settings = ["username": .plain("alice"), "password": .secret(.inline(secret))]
        let fingerprint = try ConfigFingerprint.digest(entry: entry, hostname: "home.example.net", family: .ipv4, environment: [:])
        let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? secret
        let leaky = "GET https://alice:\(secret)@members.example.net/nic/update?password=\(encoded) -> badauth (\(secret))"
        let provider = CountingProvider(answer: RoundAttemptResult(outcome: .updated, message: leaky), dns: .mismatch(seen: ["198.51.100.200"]))
        let round = DDNSRound(history: try db.open(), clock: clock.closure, recheckDelays: [.seconds(60)])
        var reports: [RoundRecordReport] = []
        for (index, outcome) in [DDNSOutcome.updated, .error, .authError].enumerated() {
            provider.answer(RoundAttemptResult(outcome: outcome, message: leaky))
            reports += await round.run([provider.record(address: IPAddress(198, 51, 100, UInt8(index + 1)), fingerprint: fingerprint,
                                                        secrets: [secret], checksDNS: true)], force: true)
            clock.advance(minutes: 61)
        }
        // An unknown outcome string carrying the secret is stored as `error`, scrubbed.
        provider.answer(RoundAttemptResult(outcome: .unrecognized("weird \(secret)"), message: leaky))
        reports += await round.run([provider.record(address: "198.51.100.9", fingerprint: fingerprint + "x", secrets: [secret])])
        #expect(provider.attempts == 4)

        let bytes = db.allBytes()
        #expect(!bytes.isEmpty)
        #expect(bytes.range(of: Data(secret.utf8)) == nil)
        #expect(bytes.range(of: Data(encoded.utf8)) == nil)
        #expect(bytes.range(of: Data("Tr0ub4dor".utf8)) == nil)
        #expect(bytes.range(of: Data(fingerprint.utf8)) != nil, "the fingerprint itself is stored")
        #expect(bytes.range(of: Data("<redacted>".utf8)) != nil, "the scrubbed messages were stored")
        let json = try JSONEncoder().encode(reports)
        #expect(json.range(of: Data(secret.utf8)) == nil)
        #expect(try db.open().ddnsResults(since: .distantPast).map(\.outcome) == [.updated, .error, .authError, .error])
    }

    @Test func dnsLagAfterAnUpdateIsRecheckedNotResent() async throws {
        let db = PolicyTestHistory()
        defer { db.remove() }
        let clock = PolicyTestClock()
        let provider = CountingProvider(dns: .mismatch(seen: ["198.51.100.1"]))
        let history = try db.open()
        let round = DDNSRound(history: history, clock: clock.closure)
        let record = { provider.record(address: "198.51.100.7", checksDNS: true) }

        let updated = await round.run([record()])
        #expect(updated.first?.outcome == .updated)
        #expect(updated.first?.dnsCheck == "mismatch")
        #expect(updated.first?.dnsConfirmed == false)
        #expect(updated.first?.message?.contains("propagating") == true)
        #expect(try history.ddnsRecordStates().first?.confirmedAddress == "198.51.100.7")
        #expect(provider.lookups == 1)
        #expect(await round.awaitsRecheck(key: record().key) == clock.now.addingTimeInterval(300))

        clock.advance(minutes: 1)
        _ = await round.run([record()])
        #expect(provider.lookups == 1, "no lookup before the re-check is due")
        clock.advance(minutes: 4)
        provider.dns(.confirmed)
        let rechecked = await round.run([record()])
        #expect(provider.lookups == 2)
        #expect(rechecked.first?.dnsCheck == "confirmed")
        #expect(rechecked.first?.outcome.skipReason?.code == "unchanged")
        #expect(try history.ddnsRecordStates().first?.lastMessage == "DNS shows 198.51.100.7")
        #expect(await round.awaitsRecheck(key: record().key) == nil)
        for _ in 0..<30 {
            clock.advance(minutes: 30)
            _ = await round.run([record()])
        }
        #expect(provider.lookups == 2)
        #expect(provider.attempts == 1)
    }

    @Test func persistentDNSMismatchStopsRecheckingWithoutResending() async throws {
        let db = PolicyTestHistory()
        defer { db.remove() }
        let clock = PolicyTestClock()
        let provider = CountingProvider(dns: .mismatch(seen: []))
        let round = DDNSRound(history: try db.open(), clock: clock.closure)
        for _ in 0..<(12 * 24) {
            _ = await round.run([provider.record(address: "198.51.100.7", checksDNS: true)])
            clock.advance(minutes: 5)
        }
        #expect(provider.attempts == 1)
        #expect(provider.lookups == 1 + DDNSRound.defaultRecheckDelays.count)
        #expect(try db.open().ddnsRecordStates().first?.lastMessage?.contains("giving up") == true)
    }
}

@Suite struct DDNSRoundOverlapTests {
    @Test func overlappingRoundsNeverSendARecordTwice() async throws {
        let db = PolicyTestHistory()
        defer { db.remove() }
        let clock = PolicyTestClock()
        let sent = Counter()
        let round = DDNSRound(history: try db.open(), clock: clock.closure)
        let record = RoundRecord(provider: "dyndns", hostname: "home.example.net", fingerprint: "fp-1",
                                 desiredAddress: "198.51.100.7", rules: .standard,
                                 attempt: { _ in
                                     sent.increment()
                                     // Suspends mid-request, so an unserialised second round would decide meanwhile.
                                     try? await Task.sleep(for: .milliseconds(50))
                                     return RoundAttemptResult(outcome: .updated)
                                 })
        async let first = round.run([record], force: false)
        async let second = round.run([record], force: false)
        let outcomes = await (first + second).map(\.outcome.text).sorted()
        #expect(outcomes == ["skipped", "updated"])
        #expect(sent.value == 1)
    }

    final class Counter: Sendable {
        private let count = Mutex(0)
        func increment() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }
}
