import NIOCore
import RustDeskWire

/// One paired relay session: its two sides, what it has carried, and its rate limit. Lives on
/// the relay's single event loop, like everything in this module.
final class RelaySession {
    let first: PeerAddress
    let second: PeerAddress
    let started: NIODeadline
    var lastActivity: NIODeadline
    private(set) var bytes: Int64 = 0
    private var bucket: TokenBucket
    var blacklisted: Bool
    var downgraded = false
    weak var firstSide: RelayGlue?
    weak var secondSide: RelayGlue?
    private var inputsClosed = 0
    /// Highest bytes per second seen over a one-second window, for `usage`.
    private(set) var peakRate: Double = 0
    private var windowBytes: Int64 = 0
    private(set) var currentRate: Double = 0

    init(first: PeerAddress, second: PeerAddress, rate: Double, blacklisted: Bool, now: NIODeadline) {
        self.first = first
        self.second = second
        self.started = now
        self.lastActivity = now
        self.blacklisted = blacklisted
        self.bucket = TokenBucket(bytesPerSecond: rate, now: now.uptimeNanoseconds.asInt64)
    }

    /// Accounts `count` received bytes; returns how long reading must pause (nanoseconds).
    func received(_ count: Int, now: NIODeadline, global: inout TokenBucket) -> Int64 {
        bytes += Int64(count)
        windowBytes += Int64(count)
        lastActivity = now
        let t = now.uptimeNanoseconds.asInt64
        return max(bucket.consume(count, now: t), global.consume(count, now: t))
    }

    func setRate(_ bytesPerSecond: Double, now: NIODeadline) {
        bucket.setRate(bytesPerSecond, now: now.uptimeNanoseconds.asInt64)
    }

    /// Once a second: the current and peak rates.
    func tick() {
        currentRate = Double(windowBytes)
        peakRate = max(peakRate, currentRate)
        windowBytes = 0
    }

    /// Both directions have ended: the session is over.
    func inputClosed() -> Bool {
        inputsClosed += 1
        return inputsClosed >= 2
    }

    func close() {
        firstSide?.closeChannel()
        secondSide?.closeChannel()
    }
}

extension UInt64 {
    var asInt64: Int64 { Int64(clamping: self) }
}
