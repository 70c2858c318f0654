/// Bounds the new ids the whole server creates per minute, whatever their sources: the
/// per-source limiter (`IPBlocker`) cannot stop a flood spread over many addresses. A fixed
/// window that opens with the first new id after the previous one closed.
struct CreationLimiter {
    static let window: Int64 = 60_000

    let perMinute: Int
    private var windowStart: Int64?
    private var count = 0

    init(perMinute: Int) {
        self.perMinute = max(1, perMinute)
    }

    /// Whether one more id may be created at `now` (and counts it if so).
    mutating func allow(now: Int64) -> Bool {
        if let start = windowStart, now >= start, now - start < Self.window {
            guard count < perMinute else { return false }
            count += 1
            return true
        }
        windowStart = now
        count = 1
        return true
    }
}
