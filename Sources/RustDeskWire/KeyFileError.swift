/// A problem with a key file. `description` is one sentence naming the file and what is wrong;
/// it never contains key material.
public struct KeyFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        /// open/read failed with this errno text.
        case unreadable(String)
        /// Nothing but whitespace.
        case empty
        /// Not standard padded base64 after trimming whitespace.
        case notBase64
        /// Decodes to this many bytes instead of 64.
        case wrongLength(Int)
        /// Bytes 32…63 are not the public key of the seed.
        case publicHalfMismatch
        /// id_ed25519.pub does not hold the public key of id_ed25519.
        case publicFileMismatch
        /// Creating or writing failed with this errno text.
        case unwritable(String)
        /// libsodium could not be initialised.
        case sodiumUnavailable
        /// Owned by another user, who could change the key.
        case wrongOwner(owner: UInt32, user: UInt32)
        /// Group or others may read (secret key) or write (either file).
        case tooOpen(mode: UInt32, secret: Bool)
    }

    public let path: String
    public let problem: Problem

    public init(path: String, problem: Problem) {
        self.path = path
        self.problem = problem
    }

    public var description: String {
        switch problem {
        case .unreadable(let reason):
            "cannot read the server key file \(path): \(reason)."
        case .empty:
            "the server key file \(path) is malformed: it is empty."
        case .notBase64:
            "the server key file \(path) is malformed: it is not base64 text."
        case .wrongLength(let count):
            "the server key file \(path) is malformed: it decodes to \(count) bytes, but an ed25519 secret key is 64 bytes."
        case .publicHalfMismatch:
            "the server key file \(path) is corrupt: its public half (bytes 32–63) does not belong to its seed."
        case .publicFileMismatch:
            "the public key file \(path) does not match the secret key next to it; delete it and run again to rewrite it."
        case .unwritable(let reason):
            "cannot write the server key file \(path): \(reason)."
        case .sodiumUnavailable:
            "cannot use the server key file \(path): libsodium could not be initialised."
        case .wrongOwner(let owner, let user):
            "the key file \(path) belongs to uid \(owner), not to uid \(user) that homeport runs as, so that user could change the key; run `chown \(user) \(path)` or run homeport as uid \(owner)."
        case .tooOpen(let mode, let secret):
            secret
                ? "the server key file \(path) has mode 0\(String(mode, radix: 8)), so other users can read or change it, and homeport refuses it (as ssh does); run `chmod 600 \(path)`, and make a new key pair if others may have copied it."
                : "the public key file \(path) has mode 0\(String(mode, radix: 8)), so other users can change it; run `chmod 600 \(path)`."
        }
    }
}
