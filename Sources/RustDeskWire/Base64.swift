import Foundation

/// Standard padded base64 (alphabet A–Z a–z 0–9 + /), as RustDesk writes keys.
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// Strict decoding: nil for anything that is not canonical padded base64 text.
    static func decode(_ text: String) -> [UInt8]? {
        Data(base64Encoded: text).map { Array($0) }
    }
}
