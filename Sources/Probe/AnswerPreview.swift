/// The first bytes of an unexpected answer as printable text ("HTTP/1.1 400 Bad Request"), so
/// the user can tell what sits on the port.
enum AnswerPreview {
    static func text(_ bytes: some Collection<UInt8>) -> String {
        let line = bytes.prefix(48).prefix { $0 != 0x0D && $0 != 0x0A }
        let printable = line.map { (0x20...0x7E).contains($0) ? Character(UnicodeScalar($0)) : "." }
        return String(printable)
    }
}
