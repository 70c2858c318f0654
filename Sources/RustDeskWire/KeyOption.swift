/// The hbbs meaning of the key option `-k` (docs/rustdesk-protocol.md#key-option): which licence key PunchHoleRequests must
/// carry, and which key pair signs peers' public keys.
public struct KeyOption: Sendable, Equatable {
    /// The exact string PunchHoleRequest.licence_key must equal; nil means no check.
    public let licenceKey: String?
    /// The key pair that signs IdPk; nil means pk fields stay empty (sessions are "insecure").
    public let signer: ServerKeyPair?

    public init(licenceKey: String?, signer: ServerKeyPair?) {
        self.licenceKey = licenceKey
        self.signer = signer
    }

    /// Resolves `value` (hbbs default "-"); "-", "_" and "" use the key files in `keyDirectory`,
    /// creating them if needed.
    public static func resolve(_ value: String = "-", keyDirectory: String) throws -> KeyOption {
        switch value {
        case "-", "_":
            let pair = try KeyFiles.loadOrGenerate(directory: keyDirectory)
            return KeyOption(licenceKey: pair.publicKeyBase64, signer: pair)
        case "":
            // Explicitly empty: no licence check, but signatures still work.
            return KeyOption(licenceKey: nil, signer: try KeyFiles.loadOrGenerate(directory: keyDirectory))
        default:
            if let bytes = Base64.decode(value), bytes.count == 64 {
                // A secret key given directly; a mismatched public half is refused, not ignored.
                let pair = try ServerKeyPair(secretKey: bytes)
                return KeyOption(licenceKey: pair.publicKeyBase64, signer: pair)
            }
            // Anything else (typically a public key string) is enforced verbatim, signing nothing.
            return KeyOption(licenceKey: value, signer: nil)
        }
    }
}
