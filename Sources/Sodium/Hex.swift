internal import CSodium

/// Lowercase hexadecimal, as signature schemes (AWS SigV4, TC3) and fingerprints print digests.
public enum Hex {
    public static func encode(_ bytes: [UInt8]) -> String {
        _ = SodiumLibrary.isReady
        var text = [CChar](repeating: 0, count: bytes.count * 2 + 1)
        _ = sodium_bin2hex(&text, text.count, bytes, bytes.count)
        return String(decoding: text.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
