import Testing
@testable import Supervisor

@Suite struct BackoffPolicyTests {
    let policy = BackoffPolicy()

    /// Doubling from half a second; once crash-looping (5 in a row), every 60 s as the README says.
    @Test func delaysDoubleFromHalfASecondThenACrashLoopWaitsTheCap() {
        let delays = (1...10).map { policy.delay(afterConsecutiveFailures: $0) }
        #expect(delays == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(60), .seconds(60), .seconds(60), .seconds(60), .seconds(60), .seconds(60)])
        #expect(policy.delay(afterConsecutiveFailures: 1) <= .seconds(1))
        #expect(policy.delay(afterConsecutiveFailures: 1000) == .seconds(60))
    }

    @Test func tenHealthyMinutesResetTheCount() {
        #expect(policy.failures(after: 6, uptime: .seconds(599)) == 7)
        #expect(policy.failures(after: 6, uptime: .seconds(600)) == 1)
        #expect(policy.failures(after: 0, uptime: .seconds(1)) == 1)
    }

    @Test func crashLoopingAfterFiveFailuresInARow() {
        #expect(!policy.isCrashLooping(consecutiveFailures: 4))
        #expect(policy.isCrashLooping(consecutiveFailures: 5))
    }
}
