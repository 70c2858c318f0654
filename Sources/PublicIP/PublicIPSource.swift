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
    func lookup() async -> SourceAnswer
}

/// Runs `operation` but gives up after `timeout`, cancelling it (URLSession needs this: a request
/// can hang past its own timeout, see the 401 note in swift-stack.md). Nil means it timed out.
func withTimeout<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async -> T) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask { await operation() }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}

extension Duration {
    /// Whole and fractional milliseconds, for reports.
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
