import NIOCore
import Synchronization

/// One received answer: its bytes and the decoded message.
struct DNSReceivedAnswer: Sendable {
    let bytes: [UInt8]
    let message: DNSMessage
}

/// Hands the answer from a channel handler (on the event loop) to the task waiting for it.
/// An answer that arrives between attempts is kept for the next one.
final class DNSResponseSlot: Sendable {
    private struct State {
        var waiting: EventLoopPromise<DNSReceivedAnswer>?
        var early: DNSReceivedAnswer?
        var mismatches = 0
        var finalError: (any Error)?
    }

    private let state = Mutex(State())

    func arm(_ promise: EventLoopPromise<DNSReceivedAnswer>) {
        enum Action { case succeed(DNSReceivedAnswer), fail(any Error), wait }
        let action: Action = state.withLock { state in
            if let early = state.early {
                state.early = nil
                return .succeed(early)
            }
            if let error = state.finalError { return .fail(error) }
            state.waiting = promise
            return .wait
        }
        switch action {
        case .succeed(let answer): promise.succeed(answer)
        case .fail(let error): promise.fail(error)
        case .wait: break
        }
    }

    func deliver(_ answer: DNSReceivedAnswer) {
        let promise: EventLoopPromise<DNSReceivedAnswer>? = state.withLock { state in
            guard let waiting = state.waiting else {
                state.early = state.early ?? answer
                return nil
            }
            state.waiting = nil
            return waiting
        }
        promise?.succeed(answer)
    }

    /// Fails the current wait (a timeout); later attempts may still succeed.
    func failWaiting(_ error: any Error) {
        let promise = state.withLock { state in
            defer { state.waiting = nil }
            return state.waiting
        }
        promise?.fail(error)
    }

    /// Fails the current wait and every later one (the connection is gone).
    func failForever(_ error: any Error) {
        let promise = state.withLock { state in
            defer { state.waiting = nil }
            if state.finalError == nil { state.finalError = error }
            return state.waiting
        }
        promise?.fail(error)
    }

    func countMismatch() { state.withLock { $0.mismatches += 1 } }

    var mismatches: Int { state.withLock { $0.mismatches } }
}
