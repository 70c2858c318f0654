import Foundation
import Sodium

/// Tencent Cloud API 3.0 signature, TC3-HMAC-SHA256 (docs/ddns-providers.md#signed-requests): SigV4's shape with a key
/// chain of HMAC("TC3"+SecretKey, date) → service → "tc3_request", signing content-type and host.
struct TC3Signer: Sendable {
    var secretID: String
    var secretKey: String
    var service: String

    struct Signed: Sendable {
        var authorization: String
        var timestamp: String
        var canonicalRequest: String
        var stringToSign: String
    }

    func sign(method: String, path: String, query: String, contentType: String, host: String, body: [UInt8], date: Date) -> Signed {
        let seconds = Int(date.timeIntervalSince1970)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        let day = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        let canonicalHeaders = "content-type:\(contentType.lowercased())\nhost:\(host.lowercased())\n"
        let signedHeaders = "content-type;host"
        let canonicalRequest = [method, path, query, canonicalHeaders, signedHeaders, Hex.encode(SHA256.hash(body))].joined(separator: "\n")
        let scope = "\(day)/\(service)/tc3_request"
        let stringToSign = ["TC3-HMAC-SHA256", String(seconds), scope, Hex.encode(SHA256.hash(Array(canonicalRequest.utf8)))].joined(separator: "\n")
        var key = HMAC.sha256(key: Array("TC3\(secretKey)".utf8), message: Array(day.utf8))
        key = HMAC.sha256(key: key, message: Array(service.utf8))
        key = HMAC.sha256(key: key, message: Array("tc3_request".utf8))
        let signature = Hex.encode(HMAC.sha256(key: key, message: Array(stringToSign.utf8)))
        return Signed(authorization: "TC3-HMAC-SHA256 Credential=\(secretID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)",
                      timestamp: String(seconds), canonicalRequest: canonicalRequest, stringToSign: stringToSign)
    }
}
