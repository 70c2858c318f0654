import Foundation

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
        let canonicalRequest = [method, path, query, canonicalHeaders, signedHeaders, SHA256.hex(SHA256.hash(body))].joined(separator: "\n")
        let scope = "\(day)/\(service)/tc3_request"
        let stringToSign = ["TC3-HMAC-SHA256", String(seconds), scope, SHA256.hex(SHA256.hash(Array(canonicalRequest.utf8)))].joined(separator: "\n")
        var key = SHA256.hmac(key: Array("TC3\(secretKey)".utf8), Array(day.utf8))
        key = SHA256.hmac(key: key, Array(service.utf8))
        key = SHA256.hmac(key: key, Array("tc3_request".utf8))
        let signature = SHA256.hex(SHA256.hmac(key: key, Array(stringToSign.utf8)))
        return Signed(authorization: "TC3-HMAC-SHA256 Credential=\(secretID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)",
                      timestamp: String(seconds), canonicalRequest: canonicalRequest, stringToSign: stringToSign)
    }
}
