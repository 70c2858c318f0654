import InternetAddress
import Synchronization

/// Requests per client per minute, as a token bucket: a full bucket allows `perMinute` at once,
/// then one more every 60 / perMinute seconds. A client is an IPv4 address or an IPv6 /64 (one
/// home gets a whole /64 and could otherwise step through it). The table is bounded: when full,
/// clients whose bucket has refilled are forgotten first, as they would start full anyway.
final class ClientRateLimiter: Sendable {
    static let maximumClients = 10_000

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let perMinute: Int
    private let buckets = Mutex<[IPAddress: Bucket]>([:])

    init(perMinute: Int) {
        self.perMinute = max(1, perMinute)
    }

    /// Takes one request from `address`'s bucket; nil when allowed, else how long until the next one is.
    func admit(_ address: IPAddress, now: ContinuousClock.Instant = .now) -> Duration? {
        let client = address.family == .ipv6 ? address.masked(toPrefixLength: 64) : address
        let capacity = Double(perMinute)
        let perSecond = capacity / 60
        return buckets.withLock { buckets in
            if buckets.count >= Self.maximumClients, buckets[client] == nil {
                buckets = buckets.filter { tokens(of: $0.value, at: now, perSecond: perSecond, capacity: capacity) < capacity }
                if buckets.count >= Self.maximumClients { return .seconds(60) }
            }
            var bucket = buckets[client] ?? Bucket(tokens: capacity, updated: now)
            bucket.tokens = tokens(of: bucket, at: now, perSecond: perSecond, capacity: capacity)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                buckets[client] = bucket
                return .milliseconds(Int(((1 - bucket.tokens) / perSecond * 1000).rounded(.up)))
            }
            bucket.tokens -= 1
            buckets[client] = bucket
            return nil
        }
    }

    private func tokens(of bucket: Bucket, at now: ContinuousClock.Instant, perSecond: Double, capacity: Double) -> Double {
        let elapsed = Double((now - bucket.updated) / .milliseconds(1)) / 1000
        return min(capacity, bucket.tokens + elapsed * perSecond)
    }
}
