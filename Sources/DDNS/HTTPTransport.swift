import Foundation

/// One HTTP request as the engine builds it.
public struct DDNSHTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    /// In the order they are sent; names as written.
    public var headers: [(String, String)]
    public var body: Data?
    public var timeout: Duration

    public init(method: String, url: String, headers: [(String, String)] = [], body: Data? = nil, timeout: Duration = .seconds(30)) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    public static func == (a: DDNSHTTPRequest, b: DDNSHTTPRequest) -> Bool {
        a.method == b.method && a.url == b.url && a.body == b.body && a.timeout == b.timeout
            && a.headers.map(\.0) == b.headers.map(\.0) && a.headers.map(\.1) == b.headers.map(\.1)
    }
}

/// The answer; header names lower-cased.
public struct DDNSHTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.body = body
    }
}

public enum DDNSTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    case timedOut
    case cannotConnect(String)
    /// This machine's resolver could not find the server's name: our side failed, the provider
    /// was never reached (so it cannot have asked to wait).
    case cannotResolve(host: String)
    case invalidURL(String)
    case failed(String)

    /// The provider or the way to it is in trouble (no answer, no connection): `retry_later`.
    /// A failure on this machine's side, such as its resolver, is not.
    public var isTransientAtProvider: Bool {
        switch self {
        case .timedOut, .cannotConnect: return true
        case .cannotResolve, .invalidURL, .failed: return false
        }
    }

    public var description: String {
        switch self {
        case .timedOut: return "no answer before the timeout"
        case .cannotConnect(let detail): return "cannot connect: \(detail)"
        case .cannotResolve(let host):
            return "this machine's DNS resolver could not resolve \(host) (a local failure; the provider was not reached)"
        case .invalidURL(let detail): return "invalid URL: \(detail)"
        case .failed(let detail): return detail
        }
    }
}

/// Sends HTTP requests. The real one is `URLSessionTransport`; tests use the same against a
/// local server, or a stub when they test the engine's logic alone.
public protocol DDNSHTTPTransport: Sendable {
    func send(_ request: DDNSHTTPRequest) async throws(DDNSTransportError) -> DDNSHTTPResponse
}
