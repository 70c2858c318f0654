import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A failed HTTP request as a sentence for people, instead of Foundation's
/// "-1003 …" or "NSURLErrorDomain error -1000".
enum URLErrorText {
    static func sentence(_ error: URLError, url: URL?) -> String {
        switch error.code {
        case .cannotFindHost, .dnsLookupFailed: return "host name not found"
        case .cannotConnectToHost: return "could not connect (connection refused or no route to the host)"
        case .notConnectedToInternet: return "no network connection"
        case .networkConnectionLost: return "the connection closed before the answer"
        case .timedOut: return "timed out"
        case .secureConnectionFailed: return "the TLS handshake failed"
        case .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
            return "the server's TLS certificate is not trusted"
        case .badServerResponse, .cannotParseResponse: return "the answer is not valid HTTP"
        case .httpTooManyRedirects, .redirectToNonExistentLocation: return "too many or broken redirects"
        case .badURL, .unsupportedURL:
            // Seen with swift-corelibs-foundation on Linux for every IPv6 literal host ("https://[::1]/").
            let literal = url?.host?.contains(":") == true ? " (this HTTP library cannot use an IPv6 address as the host)" : ""
            return "the URL was refused" + literal
        default:
            // corelibs Foundation reports some curl failures as -1 with curl's own text.
            let detail = error.localizedDescription
            if detail.contains("Couldn't connect") || detail.contains("Failed to connect") {
                return "could not connect (connection refused or no route to the host)"
            }
            return "the request failed (URL error \(error.code.rawValue))"
        }
    }
}
