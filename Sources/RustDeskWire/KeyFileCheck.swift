/// The outcome of `KeyFiles.check(directory:)`, for `homeport keygen --check`.
public enum KeyFileCheck: Sendable, Equatable {
    /// id_ed25519 is valid (and id_ed25519.pub, if present, matches); the licence key clients need.
    case ok(publicKeyBase64: String)
    /// There is no id_ed25519 at this path; one would be generated on start.
    case missing(path: String)
    /// The files exist but are unusable; the error says which file and why.
    case invalid(KeyFileError)
}
