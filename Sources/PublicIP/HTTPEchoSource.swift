import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import InternetAddress
import Synchronization

/// An HTTP(S) echo service endpoint: the URL and how its body carries the address.
public struct HTTPEchoEndpoint: Sendable, Equatable, Codable {
    public enum Style: String, Sendable, Codable {
        /// The first line of the body is the address (ipify, icanhazip, checkip.amazonaws.com).
        case plain
        /// Cloudflare's `/cdn-cgi/trace`: `key=value` lines, the address in `ip=`.
        case cloudflareTrace = "cloudflare-trace"
    }

    public var url: URL
    public var style: Style
    public var family: IPFamily

    public init(url: URL, style: Style = .plain, family: IPFamily) {
        self.url = url
        self.style = style
        self.family = family
    }

    /// A name for reports: the host (with brackets for IPv6 literals) and path.
    public var name: String {
        let host = url.host ?? url.absoluteString
        let shown = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return url.path.isEmpty || url.path == "/" ? shown : shown + url.path
    }

    private static func endpoint(_ text: String, _ style: Style, _ family: IPFamily) -> HTTPEchoEndpoint? {
        URL(string: text).map { HTTPEchoEndpoint(url: $0, style: style, family: family) }
    }

    /// Defaults: independent operators, one family per host name, so the answer's family is the asked one.
    public static let defaultIPv4: [HTTPEchoEndpoint] = [
        endpoint("https://api.ipify.org", .plain, .ipv4),
        endpoint("https://ipv4.icanhazip.com", .plain, .ipv4),
        endpoint("https://1.1.1.1/cdn-cgi/trace", .cloudflareTrace, .ipv4),
        endpoint("https://checkip.amazonaws.com", .plain, .ipv4),
    ].compactMap { $0 }

    public static let defaultIPv6: [HTTPEchoEndpoint] = [
        endpoint("https://api6.ipify.org", .plain, .ipv6),
        endpoint("https://ipv6.icanhazip.com", .plain, .ipv6),
        // Not Cloudflare's trace at [2606:4700:4700::1111]: FoundationNetworking on Linux
        // refuses a URL whose host is an IPv6 literal, so that default never answered there.
        endpoint("https://v6.ident.me", .plain, .ipv6),
    ].compactMap { $0 }
}

/// Asks one HTTP echo service for our address. The body is read up to `bodyLimit` bytes, the whole
/// exchange is bounded by `timeout` at the Task level, and credentials are never offered.
public struct HTTPEchoSource: PublicIPSource {
    public let endpoint: HTTPEchoEndpoint
    public let timeout: Duration
    public let bodyLimit: Int
    public var name: String { endpoint.name }
    public var kind: SourceKind { .http }
    public var family: IPFamily { endpoint.family }
    public var request: String { "GET \(endpoint.url.absoluteString)" }

    public init(endpoint: HTTPEchoEndpoint, timeout: Duration = .seconds(3), bodyLimit: Int = 4096) {
        self.endpoint = endpoint
        self.timeout = timeout
        self.bodyLimit = bodyLimit
    }

    public func lookup() async -> SourceAnswer {
        let start = ContinuousClock.now
        let endpoint = self.endpoint
        let bodyLimit = self.bodyLimit
        // corelibs Foundation truncates timeouts to whole seconds (0.5 s becomes an immediate
        // timeout), so URLSession gets a whole-second backstop and the Task-level limit is exact.
        let seconds = (timeout.milliseconds / 1000).rounded(.up) + 1
        let result = await withTimeout(timeout) {
            await BoundedFetch.get(endpoint.url, bodyLimit: bodyLimit, timeoutSeconds: seconds)
        }
        let latency = ContinuousClock.now - start
        switch result {
        case nil:
            return .failure(.timeout, latency: latency)
        case .failure(let error)?:
            return .failure(error, latency: latency)
        case .success(let body)?:
            return Self.answer(from: body, style: endpoint.style, family: endpoint.family, latency: latency)
        }
    }

    /// Extracts the address from a body; exposed for tests of the parsing rules.
    static func answer(from body: Data, style: HTTPEchoEndpoint.Style, family: IPFamily, latency: Duration) -> SourceAnswer {
        let text = String(decoding: body, as: UTF8.self)
        let candidate: Substring?
        switch style {
        case .plain:
            candidate = text.split(separator: "\n", omittingEmptySubsequences: false).first
        case .cloudflareTrace:
            let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            // As favonia does: through Cloudflare WARP the address is WARP's egress, not ours.
            if lines.contains(where: { $0.hasPrefix("warp=") && $0 != "warp=off" }) {
                return .failure(.noAddress("the trace says the request went through Cloudflare WARP"), latency: latency)
            }
            candidate = lines.first { $0.hasPrefix("ip=") }?.dropFirst(3)
        }
        guard let candidate else {
            return .failure(.noAddress(style == .cloudflareTrace ? "no ip= line in the trace" : "empty answer"), latency: latency)
        }
        let trimmed = candidate.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let address = IPAddress(trimmed) else {
            return .failure(.unparsable(String(trimmed.prefix(40)).filter { !$0.isNewline }), latency: latency)
        }
        return .validated(address, family: family, latency: latency)
    }
}

/// One GET with a body limit, cancellable at once (the cancellation handler resumes the caller
/// without waiting for libcurl), and with authentication challenges refused instead of hanging.
enum BoundedFetch {
    static func get(_ url: URL, bodyLimit: Int, timeoutSeconds: Double) async -> Result<Data, SourceError> {
        let delegate = FetchDelegate(bodyLimit: bodyLimit)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeoutSeconds
        configuration.timeoutIntervalForResource = timeoutSeconds
        configuration.httpCookieAcceptPolicy = .never
        configuration.urlCache = nil
        let session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        var request = URLRequest(url: url)
        request.timeoutInterval = timeoutSeconds
        request.setValue("text/plain", forHTTPHeaderField: "Accept")
        request.setValue("homeport", forHTTPHeaderField: "User-Agent")
        let task = session.dataTask(with: request)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                delegate.start(continuation)
                task.resume()
            }
        } onCancel: {
            delegate.finish(.failure(.timeout))
            // Not here, synchronously: corelibs' cancel() waits on the session's queue, which may be
            // waiting on this task's lock to deliver its completion (a deadlock seen under load).
            DispatchQueue.global().async { task.cancel() }
        }
    }
}

private final class FetchDelegate: NSObject, URLSessionDataDelegate, Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result<Data, SourceError>, Never>?
        var pending: Result<Data, SourceError>?
        var body = Data()
        var failure: SourceError?
        var done = false
    }

    private let bodyLimit: Int
    private let state = Mutex(State())

    init(bodyLimit: Int) {
        self.bodyLimit = bodyLimit
    }

    func start(_ continuation: CheckedContinuation<Result<Data, SourceError>, Never>) {
        let ready: Result<Data, SourceError>? = state.withLock { state in
            if let pending = state.pending { return pending }
            state.continuation = continuation
            return nil
        }
        if let ready { continuation.resume(returning: ready) }
    }

    /// Resumes the caller once; later calls are ignored.
    func finish(_ result: Result<Data, SourceError>) {
        let continuation: CheckedContinuation<Result<Data, SourceError>, Never>? = state.withLock { state in
            guard !state.done else { return nil }
            state.done = true
            if let continuation = state.continuation {
                state.continuation = nil
                return continuation
            }
            state.pending = result
            return nil
        }
        continuation?.resume(returning: result)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            let error: SourceError = http.statusCode == 401 ? .unauthorized : .httpStatus(http.statusCode)
            state.withLock { $0.failure = error }
            completionHandler(.cancel)
            finish(.failure(error))
            return
        }
        if response.expectedContentLength > Int64(bodyLimit) {
            state.withLock { $0.failure = .bodyTooLarge(limit: bodyLimit) }
            completionHandler(.cancel)
            finish(.failure(.bodyTooLarge(limit: bodyLimit)))
            return
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let tooLarge = state.withLock { state -> Bool in
            state.body.append(data)
            if state.body.count > bodyLimit {
                state.failure = .bodyTooLarge(limit: bodyLimit)
                return true
            }
            return false
        }
        if tooLarge {
            dataTask.cancel()
            finish(.failure(.bodyTooLarge(limit: bodyLimit)))
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let (body, failure) = state.withLock { ($0.body, $0.failure) }
        if let failure { return finish(.failure(failure)) }
        if let error {
            let urlError = error as? URLError
            if urlError?.code == .timedOut { return finish(.failure(.timeout)) }
            if urlError?.code == .cancelled { return finish(.failure(.unauthorized)) }
            let url = task.originalRequest?.url
            return finish(.failure(.transport(urlError.map { URLErrorText.sentence($0, url: url) } ?? "\(error)")))
        }
        finish(.success(body))
    }

    /// Never answer a challenge with credentials: an echo service needs none. Cancelling ends the task
    /// (instead of the 6.3.1 hang on 401 with WWW-Authenticate).
    func urlSession(_ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
                    completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
        #if canImport(Darwin)
        if challenge.protectionSpace.authenticationMethod == NSURLAuthenticationMethodServerTrust {
            completionHandler(.performDefaultHandling, nil)
            return
        }
        #endif
        state.withLock { $0.failure = .unauthorized }
        completionHandler(.cancelAuthenticationChallenge, nil)
    }
}
