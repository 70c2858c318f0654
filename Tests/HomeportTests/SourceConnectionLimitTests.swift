import Synchronization
import Testing
@testable import RustDeskWire

/// The per-source cap's bookkeeping and its rate-limited log, without sockets.
@Suite struct SourceConnectionLimitTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test func refusalsAreLoggedOncePerSourceThenSummedUpPerMinute() {
        let lines = Lines()
        let limit = SourceConnectionLimit(maximum: 2) { lines.append($0) }
        let a = SourceKey(.ipv4(198, 51, 100, 1, port: 1))
        let b = SourceKey(.ipv4(198, 51, 100, 2, port: 1))
        let start = ContinuousClock.now
        #expect(limit.admit(a, now: start) && limit.admit(a, now: start))
        #expect(!limit.admit(a, now: start), "the third from one source is refused")
        #expect(limit.admit(b, now: start), "another source is not affected")
        for _ in 0..<1000 { _ = limit.admit(a, now: start + .seconds(1)) }
        #expect(lines.all.count == 1, "one line for 1001 refusals: \(lines.all)")
        #expect(lines.all.first?.contains("198.51.100.1") == true)
        // A minute later the next event writes the summary of the rest.
        limit.release(a, now: start + .seconds(61))
        #expect(lines.all.count == 2)
        #expect(lines.all.last?.contains("refused 1000 more connections") == true, "\(lines.all)")
        #expect(limit.admit(a, now: start + .seconds(62)), "a released place is free again")
        #expect(!limit.admit(a, now: start + .seconds(62)))
        #expect(lines.all.count == 3, "a new minute names the source again")
        // With no further event, housekeeping writes the summary once the minute is over.
        _ = limit.admit(a, now: start + .seconds(63))
        limit.flush(now: start + .seconds(100))
        #expect(lines.all.count == 3, "not before the minute is over")
        limit.flush(now: start + .seconds(123))
        #expect(lines.all.count == 4)
        #expect(lines.all.last?.contains("refused 1 more connections") == true, "\(lines.all)")
    }

    @Test func budgetRefusesWhatDoesNotFitAndTakesBackWhatIsReleased() {
        let budget = ByteBudget(capacity: 100)
        #expect(budget.reserve(60))
        #expect(!budget.reserve(41))
        #expect(budget.reserve(40))
        budget.release(60)
        #expect(budget.inUse == 40)
        #expect(budget.reserve(60))
    }
}
