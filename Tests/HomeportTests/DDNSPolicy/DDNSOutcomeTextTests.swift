import DDNS
import Daemon
import Foundation
import GRDB
import History
import StatusModel
import Testing

/// `DDNSOutcome.text` is the outcome's only spelling: in the history's columns and in every JSON
/// field. Each outcome reads back as itself, and rows an older homeport wrote read back typed,
/// with text nobody knows kept verbatim instead of failing the read.
@Suite struct DDNSOutcomeTextTests {
    static let until = Date(timeIntervalSince1970: 1_800_000_123)

    /// Every outcome with the text main's `DDNSOutcomeName` and `RoundRecordReport` wrote for it.
    static let table: [(DDNSOutcome, String)] = [
        (.updated, "updated"), (.nochange, "nochange"), (.authError, "auth_error"), (.hostError, "host_error"),
        (.retryLater, "retry_later"), (.abuseStop, "abuse_stop"), (.error, "error"), (.wouldUpdate, "would_update"),
        (.skipped(.unchanged), "skipped"), (.skipped(.stopped(after: .authError)), "skipped"),
        (.skipped(.stopped(after: nil)), "skipped"), (.skipped(.backingOff(until: until, after: .retryLater)), "skipped"),
        (.skipped(.backingOff(until: until, after: .error)), "skipped"), (.skipped(.minimumInterval(until: until)), "skipped"),
        (.skipped(.historyUnavailable), "skipped"), (.unrecognized("from_a_newer_homeport"), "from_a_newer_homeport"),
    ]

    @Test func everyOutcomeHasOneSpellingAndReadsBackAsItself() throws {
        for (outcome, text) in Self.table {
            #expect(outcome.text == text, "\(outcome)")
            let reason = outcome.skipReason
            let back = DDNSOutcome(text: text, skipCode: reason?.code, until: reason?.until, after: reason?.after?.text)
            #expect(back == outcome, "\(text)")
            // Without the skip's fields, only `skipped` is incomplete; it stays visible, not guessed.
            #expect(DDNSOutcome(text: text) == (reason == nil ? outcome : .unrecognized("skipped")))
        }
        #expect(DDNSOutcome.answers.map(\.text) == ["updated", "nochange", "auth_error", "host_error", "retry_later", "abuse_stop", "error"])
        // A provider file can name the answers and nothing else.
        #expect(DDNSOutcome.answers.allSatisfy { DDNSOutcome(providerAnswer: $0.text) == $0 })
        for text in ["skipped", "would_update", "from_a_newer_homeport", "Updated"] {
            #expect(DDNSOutcome(providerAnswer: text) == nil, "\(text)")
        }
    }

    @Test func everyOutcomeSurvivesTheJSONOfAReport() throws {
        for (outcome, text) in Self.table {
            let report = RoundRecordReport(provider: "duckdns", hostname: "home.duckdns.org", family: .ipv4, address: "203.0.113.7",
                                           outcome: outcome, reason: "why", nextAttemptAt: outcome.skipReason?.until)
            let json = try StatusJSON.encoder().encode(report)
            let fields = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
            #expect(fields["outcome"] as? String == text)
            #expect(fields["skip_code"] as? String == outcome.skipReason?.code)
            let decoded = try StatusJSON.decoder().decode(RoundRecordReport.self, from: json)
            #expect(decoded == report, "\(String(decoding: json, as: UTF8.self))")
            // Alone, as in `status`: the text, except a skip, whose reason would be lost.
            if outcome.skipReason == nil {
                #expect(try StatusJSON.decoder().decode(DDNSOutcome.self, from: StatusJSON.encoder().encode(outcome)) == outcome)
            } else {
                #expect(throws: EncodingError.self) { try StatusJSON.encoder().encode(outcome) }
            }
        }
    }

    /// Rows written by the code before this type existed (plain strings, and one no version of
    /// homeport ever wrote), inserted with that code's SQL and read through today's store.
    @Test func rowsWrittenBeforeReadBackTyped() async throws {
        let history = PolicyTestHistory()
        defer { history.remove() }
        let store = try history.open()
        let oldTexts = DDNSOutcome.answers.map(\.text) + ["no_such_outcome"]
        let database = try DatabaseQueue(path: history.path)
        try await database.write { db in
            for (index, text) in oldTexts.enumerated() {
                try db.execute(sql: """
                    INSERT INTO ddns_records (record_key, provider, hostname, family, config_fingerprint, confirmed_address,
                        confirmed_at, last_attempt_at, last_outcome, last_message, next_attempt_at, failures, stopped)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: ["dyndns|h\(index).example.net|ipv4", "dyndns", "h\(index).example.net", "ipv4", "fp", nil,
                                     nil, 1_800_000_000.0, text, nil, nil, 1, text == "auth_error"])
                try db.execute(sql: "INSERT INTO ddns_updates (ts, provider, hostname, address, outcome, message, family) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               arguments: [1_800_000_000.0 + Double(index), "dyndns", "h\(index).example.net", "203.0.113.7", text, nil, "ipv4"])
            }
            // A record whose last attempt is unknown (created, never answered).
            try db.execute(sql: "INSERT INTO ddns_records (record_key, provider, hostname, family, config_fingerprint) VALUES (?, ?, ?, ?, ?)",
                           arguments: ["dyndns|fresh.example.net|ipv4", "dyndns", "fresh.example.net", "ipv4", "fp"])
        }
        try database.close()

        let expected = DDNSOutcome.answers + [.unrecognized("no_such_outcome")]
        #expect(try store.ddnsResults(since: .distantPast).map(\.outcome) == expected)
        for (index, outcome) in expected.enumerated() {
            #expect(try store.ddnsRecordState(key: "dyndns|h\(index).example.net|ipv4")?.lastOutcome == outcome)
        }
        #expect(try store.ddnsRecordState(key: "dyndns|fresh.example.net|ipv4")?.lastOutcome == nil)

        // Written back by today's code, the same text is stored, so an older homeport reads it too.
        var state = try #require(try store.ddnsRecordState(key: "dyndns|h\(oldTexts.count - 1).example.net|ipv4"))
        state.lastMessage = "kept"
        try await store.save(state, attempt: DDNSResult(time: Date(timeIntervalSince1970: 1_900_000_000), provider: "dyndns",
                                                        hostname: state.hostname, address: "203.0.113.7", outcome: .abuseStop, message: nil))
        let reread = try DatabaseQueue(path: history.path)
        let key = state.key
        let texts = try await reread.read { db in
            (try String.fetchOne(db, sql: "SELECT last_outcome FROM ddns_records WHERE record_key = ?", arguments: [key]),
             try String.fetchOne(db, sql: "SELECT outcome FROM ddns_updates ORDER BY ts DESC LIMIT 1"))
        }
        try reread.close()
        #expect(texts.0 == "no_such_outcome" && texts.1 == "abuse_stop")
    }

    /// An unreadable last outcome is no reason to stop or to send: the record's stored flags
    /// (stopped, next attempt) still decide, and `--force` is not barred by it.
    @Test func anUnrecognizedLastOutcomeBacksOffLikeAnError() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var state = DDNSPolicy.initialState(provider: "dyndns", hostname: "h.example.net", family: .ipv4, fingerprint: "fp")
        state.lastOutcome = .unrecognized("no_such_outcome")
        state.lastAttemptAt = now.addingTimeInterval(-3600)
        state.nextAttemptAt = now.addingTimeInterval(600)
        let decision = DDNSPolicy.decide(state: state, desiredAddress: "203.0.113.7", fingerprint: "fp", rules: .standard, now: now)
        #expect(decision == .skip(.backingOff(until: now.addingTimeInterval(600), after: .unrecognized("no_such_outcome"))))
        #expect(DDNSPolicy.decide(state: state, desiredAddress: "203.0.113.7", fingerprint: "fp", rules: .standard, now: now, force: true).isAttempt)
    }
}
