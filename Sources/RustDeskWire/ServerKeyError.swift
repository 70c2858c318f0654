/// Why bytes are not a usable server key pair. Descriptions never contain key material.
public enum ServerKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A libsodium secret key is 64 bytes (seed ‖ public key).
    case wrongLength(Int)
    /// Bytes 32…63 are not the public key of the seed in bytes 0…31.
    case publicHalfMismatch
    /// libsodium could not be initialised (no usable random source).
    case sodiumUnavailable

    public var description: String {
        switch self {
        case .wrongLength(let count):
            "the secret key is \(count) bytes long; an ed25519 secret key is 64 bytes"
        case .publicHalfMismatch:
            "the public half of the secret key (bytes 32–63) does not belong to its seed"
        case .sodiumUnavailable:
            "libsodium could not be initialised"
        }
    }
}
