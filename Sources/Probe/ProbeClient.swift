import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Asks an outside probe to test this machine's ports: one `POST /v1/check` (URLSession). The
/// probe tests the address the request leaves from, so call it from the home network.
public struct ProbeClient: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The probe could not be reached, or did not answer in time.
        case unreachable(String)
        /// The probe refused the request (its status and its sentence).
        case refused(status: Int, message: String)
        /// The answer is not what a homeport probe sends.
        case badAnswer(String)

        public var description: String {
            switch self {
            case .unreachable(let text): "the probe could not be reached: \(text)"
            case .refused(let status, let message): "the probe refused the check (HTTP \(status)): \(message)"
            case .badAnswer(let text): "the probe's answer could not be read: \(text)"
            }
        }
    }

    public let url: URL
    public let token: String?
    /// The whole exchange: the probe needs up to its port timeout (3 s by default) after the request.
    public let timeout: Duration

    /// `url` is the probe's base (`http://probe.example.net:21120`) or its full check URL.
    public init(url: URL, token: String? = nil, timeout: Duration = .seconds(15)) {
        self.url = url.path.hasSuffix("/v1/check") ? url : url.appendingPathComponent("v1").appendingPathComponent("check")
        self.token = token
        self.timeout = timeout
    }

    public func check(_ ports: [ProbeRequest.Port]) async throws(Failure) -> ProbeAnswer {
        #if canImport(FoundationNetworking)
        // Linux's URLSession fails every IPv6-literal URL with "bad URL" (swift-corelibs-foundation
        // issue #5496, fixed by #5498 after Swift 6.3.1); a name with an AAAA record works.
        if url.host?.contains(":") == true {
            throw .unreachable("\(url.absoluteString) names an IPv6 address, which this platform's URLSession cannot connect to; give the probe a host name with an AAAA record instead")
        }
        #endif
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.timeoutInterval = Double(timeout / .milliseconds(1)) / 1000
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        do {
            request.httpBody = try JSONEncoder().encode(ProbeRequest(ports: ports))
        } catch {
            throw .badAnswer("the request could not be encoded: \(error)")
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await Self.session.data(for: request)
        } catch let error as URLError where error.code == .cancelled {
            // Only a challenge answered with cancel ends this way (see ChallengeRefuser).
            throw .refused(status: 401, message: "the probe asked for credentials this client does not send")
        } catch {
            throw .unreachable(error.localizedDescription)
        }
        guard let http = response as? HTTPURLResponse else { throw .badAnswer("not an HTTP answer") }
        guard http.statusCode == 200 else {
            let message = (try? JSONDecoder().decode(ProbeErrorBody.self, from: data))?.error
                ?? String(decoding: data.prefix(200), as: UTF8.self)
            throw .refused(status: http.statusCode, message: message)
        }
        do {
            return try JSONDecoder().decode(ProbeAnswer.self, from: data)
        } catch {
            throw .badAnswer("\(error)")
        }
    }

    /// A session that refuses authentication challenges: on Linux, a 401 carrying
    /// WWW-Authenticate that nobody answers hangs forever (swift-corelibs-foundation #5456).
    private static let session = URLSession(configuration: .ephemeral, delegate: ChallengeRefuser(), delegateQueue: nil)
}

final class ChallengeRefuser: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
                    completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
        completionHandler(.cancelAuthenticationChallenge, nil)
    }
}
