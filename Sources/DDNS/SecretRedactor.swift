import Config
import Foundation

/// Scrubs every resolved secret out of text before it leaves the engine (messages, logs,
/// body excerpts), including the encodings a server might echo back: percent-encoded,
/// form-encoded, Base64 (of the secret, and of whole `user:password` pairs registered by the
/// engine) and JSON-escaped.
public struct SecretRedactor: Sendable {
    public static let mask = "<redacted>"
    private var secrets: [String] = []

    public init(secrets: [String] = []) {
        for secret in secrets { add(secret) }
    }

    public mutating func add(_ secret: String) {
        // A one- or two-character "secret" would blank out ordinary text; such values are
        // not credentials anyone uses, and a provider would reject them anyway.
        guard secret.count >= 3 else { return }
        var variants = [secret, PercentEncoding.queryValue(secret), Data(secret.utf8).base64EncodedString()]
        let json = JSONValue.quote(secret)
        variants.append(String(json.dropFirst().dropLast()))
        variants.append(secret.replacingOccurrences(of: " ", with: "+"))
        for variant in variants where variant.count >= 3 && !secrets.contains(variant) {
            secrets.append(variant)
        }
        // Longest first, so a secret containing another is removed whole.
        secrets.sort { $0.count > $1.count }
    }

    public var isEmpty: Bool { secrets.isEmpty }

    /// How much of the redacted body `excerpt` tidies up: the excerpt is 200 characters, but
    /// a body may start with whitespace that collapses. Cutting here is safe because the
    /// whole body was redacted first.
    static let cleanLimit = 64 * 1024

    public func redact(_ text: String) -> String {
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: Self.mask)
        }
        // Case-insensitive pass for hex-like tokens a server may echo in another case.
        for secret in secrets {
            if let range = result.range(of: secret, options: .caseInsensitive) {
                result.replaceSubrange(range, with: Self.mask)
                result = result.replacingOccurrences(of: secret, with: Self.mask, options: .caseInsensitive)
            }
        }
        // A server may wrap a long token over lines or pad it; the excerpt then joins the
        // pieces with a space, so whitespace inside a secret must not hide it.
        return SpacedSecretMatch.redact(result, secrets: secrets, mask: Self.mask)
    }

    /// A short, single-line, secret-free excerpt of a response body for messages. The whole
    /// body is redacted before anything is cut, so a secret straddling the cut never leaves
    /// half of itself behind.
    public func excerpt(_ body: Data, limit: Int = 200) -> String {
        let text = redact(String(decoding: body, as: UTF8.self)).prefix(Self.cleanLimit)
        var cleaned = text.unicodeScalars.map { scalar -> String in
            if scalar == "\n" || scalar == "\r" || scalar == "\t" { return " " }
            if scalar.value < 0x20 || scalar.value == 0x7F { return "" }
            return String(scalar)
        }.joined()
        while cleaned.contains("  ") { cleaned = cleaned.replacingOccurrences(of: "  ", with: " ") }
        cleaned = cleaned.trimmingSpaces()
        if cleaned.count > limit { cleaned = String(cleaned.prefix(limit)) + "…" }
        // Truncation can cut a secret in half; redact the excerpt again as a whole.
        return redact(cleaned)
    }
}
