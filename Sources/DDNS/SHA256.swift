import CSodium

/// SHA-256 and HMAC-SHA256 from libsodium, for request signing (AWS SigV4).
enum SHA256 {
    private static let ready: Bool = sodium_init() >= 0

    static func hash(_ data: [UInt8]) -> [UInt8] {
        _ = ready
        var out = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        _ = crypto_hash_sha256(&out, data, UInt64(data.count))
        return out
    }

    /// HMAC-SHA256 with a key of any length (the init/update/final API hashes long keys).
    static func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        _ = ready
        var state = crypto_auth_hmacsha256_state()
        _ = crypto_auth_hmacsha256_init(&state, key, key.count)
        _ = crypto_auth_hmacsha256_update(&state, data, UInt64(data.count))
        var out = [UInt8](repeating: 0, count: Int(crypto_auth_hmacsha256_BYTES))
        _ = crypto_auth_hmacsha256_final(&state, &out)
        return out
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var out = ""
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return out
    }
}
