internal import CSodium
internal import Crypto

/// HMAC (RFC 2104) with keys of any length (TSIG secrets and request-signing keys are often
/// longer than a block; RFC 2104 hashes such keys first). All three come from swift-crypto's one
/// generic HMAC; libsodium has no SHA-1, and one implementation for all three keeps them alike.
public enum HMAC {
    public static func sha256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        Array(Crypto.HMAC<Crypto.SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    public static func sha512(key: [UInt8], message: [UInt8]) -> [UInt8] {
        Array(Crypto.HMAC<Crypto.SHA512>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    /// HMAC-SHA1, only for `hmac-sha1` TSIG keys (RFC 8945 section 6 still lists it; older BIND
    /// setups use it).
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
