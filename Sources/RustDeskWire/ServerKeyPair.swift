internal import CSodium

/// The server's Ed25519 identity in libsodium `crypto_sign` format (docs/rustdesk-protocol.md#key-files): a 64-byte secret
/// key (seed ‖ public key) and the 32-byte public key clients paste as base64.
public struct ServerKeyPair: Sendable, Equatable {
    public let secretKey: [UInt8]
    public let publicKey: [UInt8]
    /// Standard padded base64 of `publicKey`: the licence key and the content of id_ed25519.pub.
    public let publicKeyBase64: String

    /// Accepts a 64-byte secret key only if its public half really belongs to its seed, so a
    /// corrupted or hand-edited key is refused instead of signing with a key clients cannot match.
    public init(secretKey: [UInt8]) throws(ServerKeyError) {
        guard secretKey.count == Int(crypto_sign_SECRETKEYBYTES) else {
            throw .wrongLength(secretKey.count)
        }
        let derived = try Self.keyPair(seed: Array(secretKey.prefix(Int(crypto_sign_SEEDBYTES))))
        guard derived.secretKey == secretKey else { throw .publicHalfMismatch }
        self = derived
    }

    private init(checkedSecretKey: [UInt8], publicKey: [UInt8]) {
        secretKey = checkedSecretKey
        self.publicKey = publicKey
        publicKeyBase64 = Base64.encode(publicKey)
    }

    /// Standard padded base64 of `secretKey`, the content of id_ed25519.
    public var secretKeyBase64: String { Base64.encode(secretKey) }

    /// The key pair for a 32-byte seed (deterministic; used by tests and key import).
    public static func keyPair(seed: [UInt8]) throws(ServerKeyError) -> ServerKeyPair {
        guard Sodium.isReady else { throw .sodiumUnavailable }
        guard seed.count == Int(crypto_sign_SEEDBYTES) else { throw .wrongLength(seed.count) }
        var publicKey = [UInt8](repeating: 0, count: Int(crypto_sign_PUBLICKEYBYTES))
        var secretKey = [UInt8](repeating: 0, count: Int(crypto_sign_SECRETKEYBYTES))
        _ = crypto_sign_seed_keypair(&publicKey, &secretKey, seed)
        return ServerKeyPair(checkedSecretKey: secretKey, publicKey: publicKey)
    }

    /// A fresh random key pair whose base64 public key contains no "/" (docs/rustdesk-protocol.md#key-files: Windows
    /// clients may carry the key in their file name). After 300 retries — odds about 2^-300 —
    /// the last key is kept, as upstream does.
    public static func generate() throws(ServerKeyError) -> ServerKeyPair {
        guard Sodium.isReady else { throw .sodiumUnavailable }
        var candidate = randomKeyPair()
        var retries = 0
        while candidate.publicKeyBase64.contains("/") && retries < 300 {
            candidate = randomKeyPair()
            retries += 1
        }
        return candidate
    }

    private static func randomKeyPair() -> ServerKeyPair {
        var publicKey = [UInt8](repeating: 0, count: Int(crypto_sign_PUBLICKEYBYTES))
        var secretKey = [UInt8](repeating: 0, count: Int(crypto_sign_SECRETKEYBYTES))
        _ = crypto_sign_keypair(&publicKey, &secretKey)
        return ServerKeyPair(checkedSecretKey: secretKey, publicKey: publicKey)
    }

    /// libsodium combined mode: the 64-byte signature followed by `message` (docs/rustdesk-protocol.md#signing).
    /// Ed25519 is deterministic, so equal inputs give equal bytes.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        _ = Sodium.isReady
        var signed = [UInt8](repeating: 0, count: message.count + Int(crypto_sign_BYTES))
        var signedLength: UInt64 = 0
        _ = crypto_sign(&signed, &signedLength, message, UInt64(message.count), secretKey)
        return signed
    }

    /// The message inside combined-mode `signed` if the signature verifies under `publicKey`
    /// (32 bytes), otherwise nil.
    public static func open(_ signed: [UInt8], publicKey: [UInt8]) -> [UInt8]? {
        guard Sodium.isReady,
              publicKey.count == Int(crypto_sign_PUBLICKEYBYTES),
              signed.count >= Int(crypto_sign_BYTES)
        else { return nil }
        var message = [UInt8](repeating: 0, count: signed.count - Int(crypto_sign_BYTES))
        var messageLength: UInt64 = 0
        let result = crypto_sign_open(&message, &messageLength, signed, UInt64(signed.count), publicKey)
        guard result == 0 else { return nil }
        return Array(message.prefix(Int(messageLength)))
    }
}

// Printing a key pair (e.g. in a log line or a failed test) must never reveal the secret key.
extension ServerKeyPair: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String { "ServerKeyPair(public: \(publicKeyBase64))" }
    public var debugDescription: String { description }
}
