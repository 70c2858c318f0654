import Foundation
import Sodium

/// AWS Signature Version 4 (docs/ddns-providers.md#signed-requests): canonical request, string to sign, the HMAC key
/// chain and the Authorization header.
struct SigV4Signer: Sendable {
    var accessKeyID: String
    var secretAccessKey: String
    var region: String
    var service: String

    struct Signed: Sendable {
        var authorization: String
        var amzDate: String
        var canonicalRequest: String
        var stringToSign: String
    }

    static func timestamps(_ date: Date) -> (amzDate: String, day: String) {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let amzDate = formatter.string(from: date)
        return (amzDate, String(amzDate.prefix(8)))
    }

    /// Signs a request. `headers` must include `host`; `x-amz-date` is added here.
    func sign(method: String, path: String, query: [(String, String)] = [], headers: [(String, String)], body: [UInt8], date: Date) -> Signed {
        let (amzDate, day) = Self.timestamps(date)
        var canonicalHeaders: [(String, String)] = headers.map { ($0.0.lowercased(), Self.trimmed($0.1)) }
        canonicalHeaders.append(("x-amz-date", amzDate))
        canonicalHeaders.sort { $0.0 < $1.0 }
        let signedHeaders = canonicalHeaders.map(\.0).joined(separator: ";")
        let canonicalPath = path.isEmpty ? "/" : path.split(separator: "/", omittingEmptySubsequences: false)
            .map { PercentEncoding.queryValue(String($0)) }.joined(separator: "/")
        var encodedQuery: [(String, String)] = query.map { pair in (PercentEncoding.queryValue(pair.0), PercentEncoding.queryValue(pair.1)) }
        encodedQuery.sort { a, b in a.0 == b.0 ? a.1 < b.1 : a.0 < b.0 }
        let canonicalQuery = encodedQuery.map { pair in pair.0 + "=" + pair.1 }.joined(separator: "&")
        let canonicalRequest = [
            method, canonicalPath, canonicalQuery,
            canonicalHeaders.map { "\($0.0):\($0.1)\n" }.joined(),
            signedHeaders, Hex.encode(SHA256.hash(body)),
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Hex.encode(SHA256.hash(Array(canonicalRequest.utf8)))].joined(separator: "\n")
        let signature = Hex.encode(HMAC.sha256(key: signingKey(day: day), message: Array(stringToSign.utf8)))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signed(authorization: authorization, amzDate: amzDate, canonicalRequest: canonicalRequest, stringToSign: stringToSign)
    }

    func signingKey(day: String) -> [UInt8] {
        var key = HMAC.sha256(key: Array("AWS4\(secretAccessKey)".utf8), message: Array(day.utf8))
        key = HMAC.sha256(key: key, message: Array(region.utf8))
        key = HMAC.sha256(key: key, message: Array(service.utf8))
        return HMAC.sha256(key: key, message: Array("aws4_request".utf8))
    }

    /// Header values with outer spaces removed and inner runs of spaces collapsed.
    private static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
