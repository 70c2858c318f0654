import Foundation

/// Base64 with the URL-safe alphabet (RFC 4648 section 5: '-' and '_' for '+' and '/'),
/// written without padding, as upstream's `URL_SAFE_NO_PAD` engine writes it.
enum URLSafeBase64 {
    static func encode(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return String(text.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }

    /// Strict apart from padding, which may be present (the Flutter client writes it) or not:
    /// nil for any character outside the URL-safe alphabet and for a length no encoding has.
    static func decode(_ text: String) -> [UInt8]? {
        var body = Substring(text)
        while body.hasSuffix("=") { body.removeLast() }
        let alphabet: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        guard body.allSatisfy(alphabet), body.count % 4 != 1 else { return nil }
        let standard = String(body.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        let padded = standard + String(repeating: "=", count: (4 - standard.count % 4) % 4)
        return Data(base64Encoded: padded).map { Array($0) }
    }
}
