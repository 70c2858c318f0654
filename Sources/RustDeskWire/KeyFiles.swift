#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Paths

/// The server key files (docs/rustdesk-protocol.md#key-files) in one directory: `id_ed25519` (base64 of the 64-byte
/// secret key) and `id_ed25519.pub` (base64 of the public key), both without trailing newline
/// and created with mode 0600. Only id_ed25519 is read back; the .pub file is for the operator.
public enum KeyFiles {
    /// Loads id_ed25519 from `directory`, or generates a key pair and writes both files when it
    /// does not exist. An existing but unusable file is an error, never silently replaced.
    public static func loadOrGenerate(directory: String) throws(KeyFileError) -> ServerKeyPair {
        let secretPath = join(directory, StateLayout.FileName.serverSecretKey)
        if let existing = try loadIfPresent(path: secretPath) { return existing }
        let generated: ServerKeyPair
        do {
            generated = try ServerKeyPair.generate()
        } catch {
            throw KeyFileError(path: secretPath, problem: .sodiumUnavailable)
        }
        // link(2) refuses to replace a file: if another process created the key meanwhile,
        // both end up using that one instead of each keeping its own.
        let created = try AtomicFile.create(path: secretPath, contents: generated.secretKeyBase64)
        guard created else {
            guard let winner = try loadIfPresent(path: secretPath) else {
                throw KeyFileError(path: secretPath, problem: .unreadable("it vanished while being created"))
            }
            return winner
        }
        try AtomicFile.replace(path: join(directory, StateLayout.FileName.serverPublicKey), contents: generated.publicKeyBase64)
        return generated
    }

    /// Loads id_ed25519 from `directory`; a missing file is an error too.
    public static func load(directory: String) throws(KeyFileError) -> ServerKeyPair {
        let secretPath = join(directory, StateLayout.FileName.serverSecretKey)
        guard let pair = try loadIfPresent(path: secretPath) else {
            throw KeyFileError(path: secretPath, problem: .unreadable(String(cString: strerror(ENOENT))))
        }
        return pair
    }

    /// Validates the files without creating anything.
    public static func check(directory: String) -> KeyFileCheck {
        let secretPath = join(directory, StateLayout.FileName.serverSecretKey)
        let pair: ServerKeyPair
        do {
            guard let loaded = try loadIfPresent(path: secretPath) else { return .missing(path: secretPath) }
            pair = loaded
        } catch {
            return .invalid(error)
        }
        let publicPath = join(directory, StateLayout.FileName.serverPublicKey)
        switch AtomicFile.readContents(path: publicPath) {
        case .missing:
            break
        case .failed(let reason):
            return .invalid(KeyFileError(path: publicPath, problem: .unreadable(reason)))
        case .contents(let bytes, let ownership):
            if let problem = ownershipProblem(ownership, secret: false) {
                return .invalid(KeyFileError(path: publicPath, problem: problem))
            }
            if trimmed(bytes) != pair.publicKeyBase64 {
                return .invalid(KeyFileError(path: publicPath, problem: .publicFileMismatch))
            }
        }
        return .ok(publicKeyBase64: pair.publicKeyBase64)
    }

    /// nil when the file does not exist; the key pair when valid; otherwise throws.
    private static func loadIfPresent(path: String) throws(KeyFileError) -> ServerKeyPair? {
        let bytes: [UInt8]
        switch AtomicFile.readContents(path: path) {
        case .missing: return nil
        case .failed(let reason): throw KeyFileError(path: path, problem: .unreadable(reason))
        case .contents(let contents, let ownership):
            if let problem = ownershipProblem(ownership, secret: true) { throw KeyFileError(path: path, problem: problem) }
            bytes = contents
        }
        let text = trimmed(bytes)
        guard !text.isEmpty else { throw KeyFileError(path: path, problem: .empty) }
        guard let secretKey = Base64.decode(text) else {
            throw KeyFileError(path: path, problem: .notBase64)
        }
        do {
            return try ServerKeyPair(secretKey: secretKey)
        } catch {
            switch error {
            case .wrongLength(let count): throw KeyFileError(path: path, problem: .wrongLength(count))
            case .publicHalfMismatch: throw KeyFileError(path: path, problem: .publicHalfMismatch)
            case .sodiumUnavailable: throw KeyFileError(path: path, problem: .sodiumUnavailable)
            }
        }
    }

    /// Like OpenSSH with a private key ("UNPROTECTED PRIVATE KEY FILE", sshkey.c
    /// `sshkey_perm_ok`), a key file that another user owns, or a secret key that group or
    /// others may read or write, is refused rather than quietly fixed: by then the key may
    /// have been copied or swapped, which only the operator can judge. The public file must
    /// be ours and not writable by others, since clients are told to trust what it says.
    static func ownershipProblem(_ ownership: AtomicFile.FileOwnership, secret: Bool) -> KeyFileError.Problem? {
        let me = geteuid()
        if ownership.owner != me { return .wrongOwner(owner: UInt32(ownership.owner), user: UInt32(me)) }
        let forbidden: UInt32 = secret ? 0o077 : 0o022
        if ownership.mode & forbidden != 0 { return .tooOpen(mode: ownership.mode, secret: secret) }
        return nil
    }

    /// The text with leading and trailing ASCII whitespace removed (upstream trims too, so a
    /// file edited with a trailing newline still loads).
    private static func trimmed(_ bytes: [UInt8]) -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || (0x09...0x0D).contains($0) }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
              let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
