internal import CSodium

/// SHA-256 (FIPS 180-4) from libsodium.
public enum SHA256 {
    public static func hash(_ data: [UInt8]) -> [UInt8] {
        _ = SodiumLibrary.isReady
        var out = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        _ = crypto_hash_sha256(&out, data, UInt64(data.count))
        return out
    }
}
