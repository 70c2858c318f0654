import DDNS
import Foundation
import History
import InternetAddress
import Synchronization

/// A clock the test moves by hand.
final class PolicyTestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(minutes: Double) {
        current.withLock { $0 = $0.addingTimeInterval(minutes * 60) }
    }

    func advance(days: Double) {
        advance(minutes: days * 24 * 60)
    }

    var closure: @Sendable () -> Date { { [self] in self.now } }
}

/// An in-process stand-in for the provider engine: answers every attempt with a scripted result
/// and counts what was sent.
final class CountingProvider: Sendable {
    private let state: Mutex<(sent: [String], answer: RoundAttemptResult, lookups: Int, dns: RoundConfirmResult)>

    init(answer: RoundAttemptResult = RoundAttemptResult(outcome: .updated), dns: RoundConfirmResult = .confirmed) {
        state = Mutex((sent: [], answer: answer, lookups: 0, dns: dns))
    }

    var attempts: Int { state.withLock { $0.sent.count } }
    var sent: [String] { state.withLock { $0.sent } }
    var lookups: Int { state.withLock { $0.lookups } }

    func answer(_ result: RoundAttemptResult) { state.withLock { $0.answer = result } }
    func answer(_ outcome: DDNSOutcome, message: String? = nil, retryAfter: Duration? = nil) {
        answer(RoundAttemptResult(outcome: outcome, message: message, retryAfter: retryAfter))
    }
    func dns(_ result: RoundConfirmResult) { state.withLock { $0.dns = result } }

    func record(provider: String = "dyndns", hostname: String = "home.example.net",
                address: IPAddress, fingerprint: String = "fp-1", rules: DDNSPolicyRules = .standard,
                secrets: [String] = [], checksDNS: Bool = false) -> RoundRecord {
        RoundRecord(
            provider: provider, hostname: hostname, fingerprint: fingerprint, desiredAddress: address,
            rules: rules, secrets: secrets,
            attempt: { [self] address in
                self.state.withLock { state in
                    state.sent.append(address.description)
                    return state.answer
                }
            },
            confirm: checksDNS ? { @Sendable [self] _, _ in
                self.state.withLock { state in
                    state.lookups += 1
                    return state.dns
                }
            } : nil)
    }
}

/// A history database in a fresh temporary directory.
struct PolicyTestHistory {
    let directory = TemporaryDirectory()
    var path: String { directory.file("history.sqlite3") }

    func open() throws -> HistoryStore {
        try HistoryStore(path: path)
    }

    /// Every byte SQLite wrote: the database, its WAL and shared-memory files.
    func allBytes() -> Data {
        var bytes = Data()
        for suffix in ["", "-wal", "-shm", "-journal"] {
            if let data = FileManager.default.contents(atPath: path + suffix) { bytes.append(data) }
        }
        return bytes
    }

    func remove() { directory.remove() }
}
