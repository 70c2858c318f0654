import CSodium

/// HMAC-SHA-256/512 through libsodium's streaming API, which takes keys of any length (TSIG
/// secrets are often longer than the 32-byte key `crypto_auth_hmacsha256` expects).
enum HMAC {
    private static let sodiumReady: Bool = sodium_init() >= 0

    static func sha256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        _ = sodiumReady
        var state = crypto_auth_hmacsha256_state()
        var mac = [UInt8](repeating: 0, count: Int(crypto_auth_hmacsha256_BYTES))
        _ = crypto_auth_hmacsha256_init(&state, key, key.count)
        _ = crypto_auth_hmacsha256_update(&state, message, UInt64(message.count))
        _ = crypto_auth_hmacsha256_final(&state, &mac)
        sodium_memzero(&state, MemoryLayout<crypto_auth_hmacsha256_state>.size)
        return mac
    }

    static func sha512(key: [UInt8], message: [UInt8]) -> [UInt8] {
        _ = sodiumReady
        var state = crypto_auth_hmacsha512_state()
        var mac = [UInt8](repeating: 0, count: Int(crypto_auth_hmacsha512_BYTES))
        _ = crypto_auth_hmacsha512_init(&state, key, key.count)
        _ = crypto_auth_hmacsha512_update(&state, message, UInt64(message.count))
        _ = crypto_auth_hmacsha512_final(&state, &mac)
        sodium_memzero(&state, MemoryLayout<crypto_auth_hmacsha512_state>.size)
        return mac
    }

    /// Compares in time independent of where the first difference is.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
