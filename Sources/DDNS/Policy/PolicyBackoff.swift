/// Exponential back-off: `initial` after the first failure, doubling after each further one, never
/// more than `maximum`.
public struct PolicyBackoff: Sendable, Equatable, Codable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The wait after `failures` consecutive failures (1 = the first).
    public func delay(afterConsecutiveFailures failures: Int) -> Duration {
        let cap = Swift.max(maximum, initial)
        var delay = initial
        var step = 1
        // Doubling stops at the cap, so a long outage cannot overflow the arithmetic.
        while step < failures, delay < cap {
            delay = delay * 2
            step += 1
        }
        return Swift.min(delay, cap)
    }
}
