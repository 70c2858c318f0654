import Sodium

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
        guard secretKey.count == Ed25519.secretKeyLength else {
            throw .wrongLength(secretKey.count)
        }
        let derived = try Self.keyPair(seed: Array(secretKey.prefix(Ed25519.seedLength)))
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
        guard SodiumLibrary.isReady else { throw .sodiumUnavailable }
        guard let pair = Ed25519.keyPair(seed: seed) else { throw .wrongLength(seed.count) }
        return ServerKeyPair(checkedSecretKey: pair.secretKey, publicKey: pair.publicKey)
    }

    /// A fresh random key pair whose base64 public key contains no "/" (docs/rustdesk-protocol.md#key-files: Windows
    /// clients may carry the key in their file name). After 300 retries — odds about 2^-300 —
    /// the last key is kept, as upstream does.
    public static func generate() throws(ServerKeyError) -> ServerKeyPair {
        var candidate = try randomKeyPair()
        var retries = 0
        while candidate.publicKeyBase64.contains("/") && retries < 300 {
            candidate = try randomKeyPair()
            retries += 1
        }
        return candidate
    }

    private static func randomKeyPair() throws(ServerKeyError) -> ServerKeyPair {
        guard let pair = Ed25519.randomKeyPair() else { throw .sodiumUnavailable }
        return ServerKeyPair(checkedSecretKey: pair.secretKey, publicKey: pair.publicKey)
    }

    /// libsodium combined mode: the 64-byte signature followed by `message` (docs/rustdesk-protocol.md#signing).
    /// Ed25519 is deterministic, so equal inputs give equal bytes.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        Ed25519.signCombined(message, secretKey: secretKey)
    }

    /// The message inside combined-mode `signed` if the signature verifies under `publicKey`
    /// (32 bytes), otherwise nil.
    public static func open(_ signed: [UInt8], publicKey: [UInt8]) -> [UInt8]? {
        Ed25519.openCombined(signed, publicKey: publicKey)
    }
}

// Printing a key pair (e.g. in a log line or a failed test) must never reveal the secret key.
extension ServerKeyPair: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String { "ServerKeyPair(public: \(publicKeyBase64))" }
    public var debugDescription: String { description }
}
