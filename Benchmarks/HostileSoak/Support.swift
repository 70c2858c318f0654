import Foundation
import NIOCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

struct SoakError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Progress and failures on stderr; stdout (table and summary) is flushed first.
func log(_ text: String) {
    fflush(nil)
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Items pushed by a channel handler, awaited one at a time with a timeout.
final class Inbox<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item] = []
        var finished = false
        var waiter: (id: Int, continuation: CheckedContinuation<Item?, Never>)?
        var nextID = 0
    }

    private let state = Mutex(State())

    func append(_ item: Item) {
        let waiting = state.withLock { state -> CheckedContinuation<Item?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            state.items.append(item)
            return nil
        }
        waiting?.resume(returning: item)
    }

    func finish() {
        let waiting = state.withLock { state -> CheckedContinuation<Item?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter?.continuation
        }
        waiting?.resume(returning: nil)
    }

    /// Ended and nothing left to read.
    var isFinished: Bool { state.withLock { $0.finished && $0.items.isEmpty } }

    /// Drops what is queued; returns it.
    func drain() -> [Item] {
        state.withLock { state in
            defer { state.items.removeAll() }
            return state.items
        }
    }

    /// The next item, or nil on timeout or at the end of the stream.
    func next(timeout: Duration) async -> Item? {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        var timer: Task<Void, Never>?
        let item = await withCheckedContinuation { continuation in
            let immediate = state.withLock { state -> Item?? in
                if !state.items.isEmpty { return .some(state.items.removeFirst()) }
                if state.finished { return .some(nil) }
                state.waiter = (id, continuation)
                return .none
            }
            if let immediate {
                continuation.resume(returning: immediate)
            } else {
                timer = Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    self?.expire(id)
                }
            }
        }
        timer?.cancel()
        return item
    }

    private func expire(_ id: Int) {
        let waiting = state.withLock { state -> CheckedContinuation<Item?, Never>? in
            guard let waiter = state.waiter, waiter.id == id else { return nil }
            state.waiter = nil
            return waiter.continuation
        }
        waiting?.resume(returning: nil)
    }
}

/// Named counters (monotonic totals) and gauges (currently open sockets) shared by all tasks.
final class Tally: Sendable {
    private let values = Mutex<[String: Int]>([:])

    func add(_ key: String, _ amount: Int = 1) { values.withLock { $0[key, default: 0] += amount } }
    func get(_ key: String) -> Int { values.withLock { $0[key] ?? 0 } }
    var snapshot: [String: Int] { values.withLock { $0 } }
}

/// The cap on hostile sockets open at once, so the machine's fd limit is never what is measured.
final class SocketBudget: Sendable {
    private let inUse = Mutex(0)
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func tryAcquire() -> Bool {
        inUse.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func release() { inUse.withLock { $0 -= 1 } }
    var current: Int { inUse.withLock { $0 } }
}

/// When the run ends; every loop checks it and no wait outlasts it.
struct Deadline: Sendable {
    let end: ContinuousClock.Instant

    var passed: Bool { ContinuousClock.now >= end }
    var remaining: Duration { max(.zero, end - ContinuousClock.now) }

    /// `wanted`, cut to what is left of the run.
    func cap(_ wanted: Duration) -> Duration { min(wanted, remaining) }

    /// Sleeps `wanted` (cut to the end of the run); false once the run is over.
    func sleep(_ wanted: Duration) async -> Bool {
        let span = cap(wanted)
        if span > .zero { try? await Task.sleep(for: span) }
        return !passed
    }
}

/// Fast non-cryptographic random bytes (xorshift), for garbage payloads.
struct Garbage {
    private var state: UInt64

    init(seed: UInt64 = UInt64.random(in: 1...UInt64.max)) { state = seed | 1 }

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(count + 8)
        while out.count < count {
            let value = next()
            withUnsafeBytes(of: value) { out.append(contentsOf: $0) }
        }
        return Array(out.prefix(count))
    }
}
