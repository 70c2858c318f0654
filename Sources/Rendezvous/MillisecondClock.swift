import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Monotonic milliseconds, 64-bit (upstream once overflowed a 32-bit counter and reported
/// long-gone peers as online). Injectable so the 6 s, 30 s, 60 s and 24 h rules are testable.
public protocol MillisecondClock: Sendable {
    func now() -> Int64
}

public struct MonotonicClock: MillisecondClock {
    public init() {}

    public func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}

/// Milliseconds since 1970 (CLOCK_REALTIME), for times the database keeps across restarts.
public struct WallClock: MillisecondClock {
    public init() {}

    public func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}

/// A clock that moves only when told to.
public final class ManualClock: MillisecondClock {
    private let value: Atomic<Int64>

    public init(start: Int64 = 1_000_000) {
        value = Atomic(start)
    }

    public func now() -> Int64 { value.load(ordering: .relaxed) }

    public func advance(milliseconds: Int64) {
        value.add(milliseconds, ordering: .relaxed)
    }
}
