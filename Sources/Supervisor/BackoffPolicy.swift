/// When to restart a service that stopped, and when to call it crash-looping.
///
/// The first restart comes after `initialDelay` (within a second), each further consecutive
/// failure doubles the wait, and a run that stays up for `resetAfter` wipes the slate. After
/// `crashLoopThreshold` consecutive failures the service is reported as crash-looping; it is
/// still retried, every `maximumDelay` (as README.md, "`[[service]]`", promises), so a
/// dependency that comes back (a mounted disk, a network) heals it without a human.
public struct BackoffPolicy: Sendable, Equatable {
    public var initialDelay: Duration = .milliseconds(500)
    public var maximumDelay: Duration = .seconds(60)
    public var resetAfter: Duration = .seconds(600)
    public var crashLoopThreshold = 5

    public init() {}

    /// The wait before restart number `consecutiveFailures` (1 for the first).
    public func delay(afterConsecutiveFailures consecutiveFailures: Int) -> Duration {
        guard consecutiveFailures > 0 else { return .zero }
        if isCrashLooping(consecutiveFailures: consecutiveFailures) { return maximumDelay }
        var delay = initialDelay
        for _ in 1..<consecutiveFailures {
            delay = delay * 2
            if delay >= maximumDelay { return maximumDelay }
        }
        return min(delay, maximumDelay)
    }

    /// The failure count after a run that lasted `uptime`: a long healthy run resets it.
    public func failures(after previous: Int, uptime: Duration) -> Int {
        uptime >= resetAfter ? 1 : previous + 1
    }

    public func isCrashLooping(consecutiveFailures: Int) -> Bool {
        consecutiveFailures >= crashLoopThreshold
    }
}
