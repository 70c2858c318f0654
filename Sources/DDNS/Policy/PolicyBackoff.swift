/// Exponential back-off: `initial` after the first failure, doubling after each further one, never
/// more than `maximum`.
public struct PolicyBackoff: Sendable, Equatable, Codable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The wait after `failures` consecutive failures (1 = the first). Starting from `floor` instead
    /// of `initial` when given, because some protocols demand a minimum (No-IP's 30 minutes after `911`).
    public func delay(afterConsecutiveFailures failures: Int, floor: Duration? = nil) -> Duration {
        let start = floor ?? initial
        let cap = Swift.max(maximum, start)
        var delay = start
        var step = 1
        // Doubling stops at the cap, so a long outage cannot overflow the arithmetic.
        while step < failures, delay < cap {
            delay = delay * 2
            step += 1
        }
        return Swift.min(delay, cap)
    }
}
