import Foundation

/// Messages stored in the history: one line, bounded, and without the record's secrets even when
/// the engine let one slip through (a URL with a token in it, an echoed request).
public enum PolicyMessage {
    public static let maximumLength = 400
    public static let redactedMarker = "<redacted>"

    /// `message` with every occurrence of each secret (verbatim, percent-encoded, or as the
    /// user:password Basic credential) replaced, control characters turned into spaces, and cut
    /// to `maximumLength` characters.
    public static func sanitized(_ message: String, secrets: [String]) -> String {
        capped(redacted(message, secrets: secrets))
    }

    public static func redacted(_ message: String, secrets: [String]) -> String {
        var text = message
        // Longest first, so a secret that contains another is replaced whole.
        for secret in forms(of: secrets).sorted(by: { $0.count > $1.count }) {
            text = text.replacingOccurrences(of: secret, with: redactedMarker, options: [.caseInsensitive])
        }
        return text
    }

    public static func capped(_ message: String) -> String {
        let oneLine = String(message.unicodeScalars.map { scalar -> Character in
            CharacterSet.controlCharacters.contains(scalar) ? " " : Character(scalar)
        })
        guard oneLine.count > maximumLength else { return oneLine }
        return String(oneLine.prefix(maximumLength - 1)) + "…"
    }

    private static func forms(of secrets: [String]) -> Set<String> {
        var forms: Set<String> = []
        for secret in secrets where !secret.isEmpty {
            forms.insert(secret)
            if let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics), encoded != secret {
                forms.insert(encoded)
            }
            if let query = secret.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed), query != secret {
                forms.insert(query)
            }
            // A Basic header echoed back holds base64("user:secret"); the secret's own base64
            // is not a substring of that, but a message quoting base64 of the secret alone is.
            forms.insert(Data(secret.utf8).base64EncodedString())
        }
        return forms
    }
}
