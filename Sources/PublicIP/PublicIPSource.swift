import InternetAddress
import Synchronization

/// Where an answer came from: internet echo services (`http`, `dns`) cost someone else a request;
/// `interface` and `router` are local and cheap.
public enum SourceKind: String, Codable, Sendable {
    case http
    case dns
    case interface
    case router

    /// Echo services on the internet: asked politely, counted.
    public var isEcho: Bool { self == .http || self == .dns }
}

/// Why a source gave no usable address.
public enum SourceError: Error, Sendable, Equatable, CustomStringConvertible {
    case timeout
    case transport(String)
    case httpStatus(Int)
    case unauthorized
    case bodyTooLarge(limit: Int)
    case unparsable(String)
    case wrongFamily(IPAddress)
    /// The source answered with an address that is not usable from the internet (still reported).
    case notPublic(IPAddress, AddressScope)
    case noAddress(String)
    case unsupported(String)

    public var description: String {
        switch self {
        case .timeout: "timed out"
        case .transport(let detail): "request failed: \(detail)"
        case .httpStatus(let code): "HTTP status \(code)"
        case .unauthorized: "HTTP 401: the service asks for credentials"
        case .bodyTooLarge(let limit): "answer larger than \(limit) bytes"
        case .unparsable(let snippet): "answer is not an address: '\(snippet)'"
        case .wrongFamily(let address): "answer \(address) is of the wrong family"
        case .notPublic(let address, let scope): "\(address) is not a public address (\(scope.rawValue))"
        case .noAddress(let detail): "no address: \(detail)"
        case .unsupported(let detail): "unsupported: \(detail)"
        }
    }
}

import Synchronization

/// One source's answer: the address it reported (also when it is not usable, see `error`),
/// the error if the answer cannot count as the outside address, and how long it took.
public struct SourceAnswer: Sendable, Equatable {
    public var address: IPAddress?
    public var error: SourceError?
    public var latency: Duration

    public init(address: IPAddress?, error: SourceError? = nil, latency: Duration) {
        self.address = address
        self.error = error
        self.latency = latency
    }

    /// The address when it may count as an outside view: parsed, right family, public.
    public var usableAddress: IPAddress? { error == nil ? address : nil }

    public static func failure(_ error: SourceError, latency: Duration) -> SourceAnswer {
        SourceAnswer(address: nil, error: error, latency: latency)
    }

    /// Checks a parsed address against the wanted family and scope.
    public static func validated(_ address: IPAddress, family: IPFamily, latency: Duration) -> SourceAnswer {
        if address.family != family { return SourceAnswer(address: address, error: .wrongFamily(address), latency: latency) }
        if !address.isPublic { return SourceAnswer(address: address, error: .notPublic(address, address.scope), latency: latency) }
        return SourceAnswer(address: address, latency: latency)
    }
}

/// Anything that can tell one address of one family. Sources never throw: every failure is an answer.
public protocol PublicIPSource: Sendable {
    var name: String { get }
    var kind: SourceKind { get }
    var family: IPFamily { get }
    /// What `lookup` asks, in words (`homeport ip --verbose` logs it with the answer).
    var request: String { get }
    func lookup() async -> SourceAnswer
}

extension PublicIPSource {
    public var request: String { name }
}

extension SourceAnswer {
    /// The answer as the end of a conversation line: what came back, or why nothing usable did,
    /// and how long it took.
    public var conversationText: String {
        let time = "\(Int(latency.milliseconds.rounded())) ms"
        switch (address, error) {
        case (let address?, nil): return "answered \(address) in \(time)"
        case (let address?, let error?): return "answered \(address) in \(time), not usable: \(error)"
        case (nil, let error?): return "no answer after \(time): \(error)"
        case (nil, nil): return "no address after \(time)"
        }
    }
}

/// Runs `operation` but gives up after `timeout` and cancels it. Nil means it timed out (or the caller
/// was cancelled). The caller resumes at the deadline even if the operation ignores cancellation —
/// URLSession can hang past its own timeout (the 401 note in swift-stack.md), and injected router or
/// DNS clients are not ours to trust.
func withTimeout<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async -> T) async -> T? {
    let race = TimeoutRace<T>()
    return await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            race.begin(continuation,
                       work: Task { race.finish(await operation()) },
                       timer: Task {
                           try? await Task.sleep(for: timeout)
                           race.finish(nil)
                       })
        }
    } onCancel: {
        race.finish(nil)
    }
}

/// The first of the operation, the timer and a cancellation resumes the caller; the others are cancelled.
private final class TimeoutRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T?, Never>?
        var result: T??
        var tasks: [Task<Void, Never>] = []
    }

    private let state = Mutex(State())

    func begin(_ continuation: CheckedContinuation<T?, Never>, work: Task<Void, Never>, timer: Task<Void, Never>) {
        let early: T?? = state.withLock { state in
            if let result = state.result { return result }
            state.continuation = continuation
            state.tasks = [work, timer]
            return nil
        }
        if let early {
            work.cancel()
            timer.cancel()
            continuation.resume(returning: early)
        }
    }

    func finish(_ value: T?) {
        let (continuation, tasks): (CheckedContinuation<T?, Never>?, [Task<Void, Never>]) = state.withLock { state in
            guard state.result == nil else { return (nil, []) }
            state.result = .some(value)
            defer { state.continuation = nil; state.tasks = [] }
            return (state.continuation, state.tasks)
        }
        for task in tasks { task.cancel() }
        continuation?.resume(returning: value)
    }
}

extension Duration {
    /// Whole and fractional milliseconds, for reports.
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
