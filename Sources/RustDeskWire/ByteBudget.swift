import Synchronization

/// A server-wide allowance of bytes, shared by connections (e.g. bytes held in WebSocket
/// messages not yet complete): each reserves before it holds more and returns what it held,
/// so the total stays bounded however many connections there are.
public final class ByteBudget: Sendable {
    public let capacity: Int
    private let used = Atomic<Int>(0)

    public init(capacity: Int) {
        self.capacity = capacity
    }

    /// Takes `count` bytes if they fit; false (and nothing taken) if not.
    public func reserve(_ count: Int) -> Bool {
        var current = used.load(ordering: .relaxed)
        while true {
            guard current + count <= capacity else { return false }
            let (exchanged, original) = used.compareExchange(expected: current, desired: current + count, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }

    public func release(_ count: Int) {
        guard count > 0 else { return }
        used.subtract(count, ordering: .relaxed)
    }

    public var inUse: Int { used.load(ordering: .relaxed) }
}
