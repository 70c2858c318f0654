/// Percent-encoding for each place a value can go in an HTTP request (RFC 3986).
enum PercentEncoding {
    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
    /// pchar minus the characters that would change a path's structure or meaning to a server
    /// (`/`, `?`, `#`, `%`, `;`, `=`, `&`); `@` and `:` stay raw because APIs use `@` for the apex.
    private static let pathSafe = unreserved.union(Set("@:!$'()*+,".utf8))

    /// A query parameter name or value: everything but the unreserved set is encoded,
    /// so `+`, `&`, `=`, `:` and `,` inside values cannot be misread.
    static func queryValue(_ text: String) -> String { encode(text, keeping: unreserved) }

    /// An application/x-www-form-urlencoded name or value (space as %20, which every decoder accepts).
    static func formValue(_ text: String) -> String { encode(text, keeping: unreserved) }

    /// One path segment: a value can never add a `/` or end the path.
    static func pathSegment(_ text: String) -> String { encode(text, keeping: pathSafe) }

    private static func encode(_ text: String, keeping safe: Set<UInt8>) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if safe.contains(byte) {
                out.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// Decodes %XX escapes (and `+` as space when `plusIsSpace`), for reading queries and forms.
    static func decode(_ text: Substring, plusIsSpace: Bool = false) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
               let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else if plusIsSpace, byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
