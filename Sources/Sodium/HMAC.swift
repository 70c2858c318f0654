internal import CSodium
internal import Crypto

/// HMAC (RFC 2104) with keys of any length: TSIG secrets and request-signing keys are often
/// longer than the 32-byte key `crypto_auth_hmacsha256` expects, so SHA-256/512 go through
/// libsodium's streaming API, which hashes long keys first as RFC 2104 says.
public enum HMAC {
    public static func sha256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        _ = SodiumLibrary.isReady
        var state = crypto_auth_hmacsha256_state()
        var mac = [UInt8](repeating: 0, count: Int(crypto_auth_hmacsha256_BYTES))
        _ = crypto_auth_hmacsha256_init(&state, key, key.count)
        _ = crypto_auth_hmacsha256_update(&state, message, UInt64(message.count))
        _ = crypto_auth_hmacsha256_final(&state, &mac)
        sodium_memzero(&state, MemoryLayout<crypto_auth_hmacsha256_state>.size)
        return mac
    }

    public static func sha512(key: [UInt8], message: [UInt8]) -> [UInt8] {
        _ = SodiumLibrary.isReady
        var state = crypto_auth_hmacsha512_state()
        var mac = [UInt8](repeating: 0, count: Int(crypto_auth_hmacsha512_BYTES))
        _ = crypto_auth_hmacsha512_init(&state, key, key.count)
        _ = crypto_auth_hmacsha512_update(&state, message, UInt64(message.count))
        _ = crypto_auth_hmacsha512_final(&state, &mac)
        sodium_memzero(&state, MemoryLayout<crypto_auth_hmacsha512_state>.size)
        return mac
    }

    /// HMAC-SHA1, only for `hmac-sha1` TSIG keys (RFC 8945 section 6 still lists it; older BIND
    /// setups use it). libsodium has no SHA-1, so this one comes from swift-crypto.
    public static func sha1(key: [UInt8], message: [UInt8]) -> [UInt8] {
        Array(Crypto.HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    /// Compares two MACs in time independent of where the first difference is
    /// (`sodium_memcmp`); MACs of different lengths are unequal.
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        _ = SodiumLibrary.isReady
        return sodium_memcmp(a, b, a.count) == 0
    }
}
