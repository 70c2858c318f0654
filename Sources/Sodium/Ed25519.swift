internal import CSodium

/// Ed25519 (RFC 8032) keys and signatures in libsodium's `crypto_sign` formats: a 64-byte
/// secret key (seed ‖ public key), a 32-byte public key, and "combined" signed messages
/// (64-byte signature ‖ message), which is how RustDesk carries signed data.
public enum Ed25519 {
    public static let seedLength = Int(crypto_sign_SEEDBYTES)
    public static let publicKeyLength = Int(crypto_sign_PUBLICKEYBYTES)
    public static let secretKeyLength = Int(crypto_sign_SECRETKEYBYTES)
    public static let signatureLength = Int(crypto_sign_BYTES)

    /// The key pair for a 32-byte seed (deterministic); nil for another length or without libsodium.
    public static func keyPair(seed: [UInt8]) -> (publicKey: [UInt8], secretKey: [UInt8])? {
        guard SodiumLibrary.isReady, seed.count == seedLength else { return nil }
        var publicKey = [UInt8](repeating: 0, count: publicKeyLength)
        var secretKey = [UInt8](repeating: 0, count: secretKeyLength)
        guard crypto_sign_seed_keypair(&publicKey, &secretKey, seed) == 0 else { return nil }
        return (publicKey, secretKey)
    }

    /// A key pair from libsodium's random source; nil without libsodium.
    public static func randomKeyPair() -> (publicKey: [UInt8], secretKey: [UInt8])? {
        guard SodiumLibrary.isReady else { return nil }
        var publicKey = [UInt8](repeating: 0, count: publicKeyLength)
        var secretKey = [UInt8](repeating: 0, count: secretKeyLength)
        guard crypto_sign_keypair(&publicKey, &secretKey) == 0 else { return nil }
        return (publicKey, secretKey)
    }

    /// The 64-byte signature followed by `message`. Ed25519 is deterministic, so equal inputs
    /// give equal bytes. `secretKey` must be `secretKeyLength` bytes (callers hold checked keys).
    public static func signCombined(_ message: [UInt8], secretKey: [UInt8]) -> [UInt8] {
        precondition(secretKey.count == secretKeyLength, "an ed25519 secret key is \(secretKeyLength) bytes")
        _ = SodiumLibrary.isReady
        var signed = [UInt8](repeating: 0, count: message.count + signatureLength)
        var signedLength: UInt64 = 0
        _ = crypto_sign(&signed, &signedLength, message, UInt64(message.count), secretKey)
        return signed
    }

    /// The message inside combined-mode `signed` if the signature verifies under `publicKey`,
    /// otherwise nil (also for inputs of the wrong length).
    public static func openCombined(_ signed: [UInt8], publicKey: [UInt8]) -> [UInt8]? {
        guard SodiumLibrary.isReady, publicKey.count == publicKeyLength, signed.count >= signatureLength else { return nil }
        var message = [UInt8](repeating: 0, count: signed.count - signatureLength)
        var messageLength: UInt64 = 0
        guard crypto_sign_open(&message, &messageLength, signed, UInt64(signed.count), publicKey) == 0 else { return nil }
        return Array(message.prefix(Int(messageLength)))
    }
}
