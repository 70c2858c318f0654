internal import CSodium

/// BLAKE2b (RFC 7693) from libsodium (`crypto_generichash`), for digests that need no
/// particular standard algorithm: configuration fingerprints, in-memory device-id digests.
public enum BLAKE2b {
    /// Digests of 16...64 bytes, keys of 16...64 bytes; libsodium refuses anything else.
    public static let lengths = Int(crypto_generichash_BYTES_MIN)...Int(crypto_generichash_BYTES_MAX)
    public static let keyLengths = Int(crypto_generichash_KEYBYTES_MIN)...Int(crypto_generichash_KEYBYTES_MAX)

    /// The `length`-byte digest of `input`, keyed when `key` is given. `length` may be 1...64
    /// (shorter than 16 only where collisions are acceptable, as for `UUIDDigest`); `key`
    /// must be nil or within `keyLengths`.
    public static func hash(_ input: [UInt8], length: Int = 32, key: [UInt8]? = nil) -> [UInt8] {
        precondition((1...lengths.upperBound).contains(length), "a BLAKE2b digest is 1...\(lengths.upperBound) bytes")
        precondition(key.map { keyLengths.contains($0.count) } ?? true, "a BLAKE2b key is \(keyLengths) bytes")
        _ = SodiumLibrary.isReady
        var output = [UInt8](repeating: 0, count: length)
        if let key {
            _ = crypto_generichash(&output, length, input, UInt64(input.count), key, key.count)
        } else {
            _ = crypto_generichash(&output, length, input, UInt64(input.count), nil, 0)
        }
        return output
    }
}
