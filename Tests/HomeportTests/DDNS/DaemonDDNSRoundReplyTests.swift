import DDNS
import Daemon
import Foundation
import History
import Paths
import StatusModel
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `homeport update` while the daemon runs: the daemon runs the round and answers over its
/// control socket. The outcome in that answer, in `status --json` and in the history file is one
/// and the same value, whatever it is: an update, a skip with a date in it, a stop.
@Suite struct DaemonDDNSRoundReplyTests {
    @Test func theReplyTheStatusAndTheHistoryCarryOneOutcome() async throws {
        let duck = try await ReplayHTTPServer()
        var daemon = DaemonHarness(config: """
            \(duck.duckDNSEntry(token: "hp-reply-test-token"))
            """)
        defer { daemon.remove() }
        try await daemon.start()

        func update(_ arguments: [String]) async throws -> (report: RoundRecordReport, stderr: String) {
            let output = try await daemon.homeport(["update", "--json"] + arguments)
            // The daemon ran it: a round from this process could send the record a second time.
            #expect(output.stderr.contains("the running daemon ran this round"), "\(arguments): \(output.stderr)\n\(daemon.log)")
            let reports = try StatusJSON.decoder().decode([RoundRecordReport].self, from: Data(output.stdout.utf8))
            return (try #require(reports.first, "\(output.stdout)\(output.stderr)"), output.stderr)
        }
        func recorded() async throws -> (status: DDNSOutcome?, state: DDNSOutcome?, row: DDNSOutcome?) {
            let status = try await daemon.status().ddns?.first?.lastOutcome
            let history = try HistoryStore(path: StateLayout(directory: daemon.stateDirectory).historyDatabase)
            return (status, try history.ddnsRecordStates().first?.lastOutcome, try history.ddnsResults(since: .distantPast).last?.outcome)
        }

        duck.script([.init(status: 200, body: "OK\n203.0.113.7\n\nUPDATED")])
        let updated = try await update(["--ip4", "203.0.113.7"])
        #expect(updated.report.outcome == .updated)
        var stored = try await recorded()
        #expect(stored.status == .updated && stored.state == .updated && stored.row == .updated)

        // Within duckdns's minimum interval: skipped until a time, which the reply carries as a
        // date (the CLI once could not read a reply with a date and ran its own round).
        duck.script([])
        let waiting = try await update(["--ip4", "203.0.113.8"])
        guard case .skipped(.minimumInterval(let until)) = waiting.report.outcome else {
            Issue.record("expected a minimum-interval skip, got \(waiting.report.outcome)")
            return
        }
        #expect(waiting.report.nextAttemptAt == until)
        #expect(duck.requests.isEmpty)
        stored = try await recorded()
        #expect(stored.status == .updated && stored.state == .updated, "a skip is no attempt and changes no stored outcome")

        duck.script([.init(status: 200, body: "KO")])
        let refused = try await update(["--ip4", "203.0.113.8", "--force"])
        #expect(refused.report.outcome == .authError && refused.report.stopped)
        stored = try await recorded()
        #expect(stored.status == .authError && stored.state == .authError && stored.row == .authError)

        daemon.process?.signal(SIGTERM)
        #expect(try await daemon.process?.wait() == .exited(0))
        await duck.stop()
    }
}
