/// A token bucket in bytes: refills at `rate` bytes per second up to one second's worth, and
/// says how long to wait before `bytes` more may pass. Used on the relay's single event loop,
/// so it needs no lock.
struct TokenBucket {
    private(set) var rate: Double
    private var tokens: Double
    private var lastRefill: Int64

    init(bytesPerSecond rate: Double, now: Int64) {
        self.rate = rate
        self.tokens = rate
        self.lastRefill = now
    }

    mutating func setRate(_ rate: Double, now: Int64) {
        refill(now: now)
        self.rate = rate
        tokens = min(tokens, rate)
    }

    /// The longest single pause: the settings keep real waits far below it, and a debt larger
    /// than a minute's credit is simply asked for again at the next read.
    static let maximumWait: Int64 = 60_000_000_000

    /// Takes `bytes` (which may drive the bucket negative) and returns how many nanoseconds
    /// to wait before reading again, 0 when there is credit left. Total for every rate: a
    /// tiny or non-finite quotient gives `maximumWait`, never a trapping conversion.
    mutating func consume(_ bytes: Int, now: Int64) -> Int64 {
        refill(now: now)
        tokens -= Double(bytes)
        guard tokens < 0, rate > 0 else { return 0 }
        let nanoseconds = -tokens / rate * 1e9
        guard nanoseconds.isFinite, nanoseconds < Double(Self.maximumWait) else { return Self.maximumWait }
        return Int64(nanoseconds)
    }

    private mutating func refill(now: Int64) {
        let elapsed = Double(max(0, now - lastRefill)) / 1e9
        tokens = min(rate, tokens + elapsed * rate)
        lastRefill = now
    }
}
