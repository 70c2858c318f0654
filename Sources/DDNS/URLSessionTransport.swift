import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// HTTP(S) through URLSession (libcurl on Linux).
///
/// Two defences against swift-corelibs-foundation 6.3.1 (issue #5456): a 401 carrying
/// `WWW-Authenticate` hangs forever unless a delegate answers the challenge, so every session
/// has a delegate that cancels challenges (credentials already travel in the Authorization
/// header) and a cancel after a challenge is reported as a 401; and every request runs under
/// a Task-level timeout, because `timeoutInterval` does not fire in that state either.
public struct URLSessionTransport: DDNSHTTPTransport {
    public init() {}

    public func send(_ request: DDNSHTTPRequest) async throws(DDNSTransportError) -> DDNSHTTPResponse {
        guard let url = URL(string: request.url), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw .invalidURL("not an http(s) URL")
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method
        urlRequest.httpBody = request.body
        urlRequest.timeoutInterval = max(1, DurationSeconds.of(request.timeout))
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }

        let delegate = ChallengeCanceller()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = urlRequest.timeoutInterval
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        let session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let prepared = urlRequest

        let outcome: Result<DDNSHTTPResponse, DDNSTransportError> = await withTaskGroup(of: Result<DDNSHTTPResponse, DDNSTransportError>?.self) { group in
            group.addTask {
                do {
                    let (data, response) = try await SessionDataCall.run(session, prepared)
                    guard let http = response as? HTTPURLResponse else { return .failure(.failed("not an HTTP response")) }
                    var headers: [String: String] = [:]
                    for (key, value) in http.allHeaderFields {
                        if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
                    }
                    return .success(DDNSHTTPResponse(status: http.statusCode, headers: headers, body: data))
                } catch let error as URLError {
                    if error.code == .cancelled, delegate.wasChallenged {
                        // The 401's body is lost once the challenge is cancelled; its status is what counts.
                        return .success(DDNSHTTPResponse(status: 401, headers: ["x-homeport-note": "authentication challenge refused"]))
                    }
                    if Task.isCancelled { return nil }
                    switch error.code {
                    case .timedOut: return .failure(.timedOut)
                    case .cannotFindHost, .dnsLookupFailed:
                        return .failure(.cannotResolve(host: prepared.url?.host ?? "the server's name"))
                    case .cannotConnectToHost, .networkConnectionLost, .notConnectedToInternet:
                        return .failure(.cannotConnect(error.localizedDescription))
                    default: return .failure(.failed("HTTP request failed: \(error.localizedDescription)"))
                    }
                } catch {
                    if Task.isCancelled { return nil }
                    return .failure(.failed("HTTP request failed: \(error)"))
                }
            }
            group.addTask {
                try? await Task.sleep(for: request.timeout)
                return Task.isCancelled ? nil : .failure(.timedOut)
            }
            var first: Result<DDNSHTTPResponse, DDNSTransportError>?
            while let next = await group.next() {
                if let next { first = next; break }
            }
            group.cancelAll()
            return first ?? .failure(.timedOut)
        }
        return try outcome.get()
    }
}

/// Refuses authentication challenges and remembers that one came.
final class ChallengeCanceller: NSObject, URLSessionTaskDelegate, Sendable {
    private let challenged = Mutex(false)

    var wasChallenged: Bool { challenged.withLock { $0 } }

    func urlSession(_ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
                    completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
        // TLS server trust stays with the system; only HTTP authentication is refused.
        #if canImport(Darwin)
        if challenge.protectionSpace.authenticationMethod == NSURLAuthenticationMethodServerTrust {
            completionHandler(.performDefaultHandling, nil)
            return
        }
        #endif
        challenged.withLock { $0 = true }
        completionHandler(.cancelAuthenticationChallenge, nil)
    }
}

enum DurationSeconds {
    static func of(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// `URLSession.data(for:)` without its cancellation deadlock: corelibs Foundation cancels the
/// task synchronously on the session's queue from inside the Swift task's cancellation handler,
/// which deadlocks when the session is delivering that task's completion at the same moment
/// (seen under load in the test suite: the whole cooperative pool stopped). Here the cancel is
/// sent from another thread, and the completion handler resumes the caller exactly once.
enum SessionDataCall {
    static func run(_ session: URLSession, _ request: URLRequest) async throws -> (Data, URLResponse) {
        let box = Mutex<URLSessionDataTask?>(nil)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Data, URLResponse), any Error>) in
                let task = session.dataTask(with: request) { data, response, error in
                    if let response, error == nil {
                        continuation.resume(returning: (data ?? Data(), response))
                    } else {
                        continuation.resume(throwing: error ?? URLError(.badServerResponse))
                    }
                }
                box.withLock { $0 = task }
                task.resume()
                if Task.isCancelled { DispatchQueue.global().async { task.cancel() } }
            }
        } onCancel: {
            if let task = box.withLock({ $0 }) { DispatchQueue.global().async { task.cancel() } }
        }
    }
}
