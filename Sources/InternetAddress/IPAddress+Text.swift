#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Text that is not an address, with what would have been valid.
public struct IPAddressSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The rejected text (cut to 60 characters: it may come from the network).
    public let text: String
    /// The family the text had to be, or nil when either would do.
    public let expected: IPFamily?

    public init(text: some StringProtocol, expected: IPFamily?) {
        self.text = String(text.prefix(60))
        self.expected = expected
    }

    public var description: String {
        switch expected {
        case .ipv4?: "'\(text)' is not an IPv4 address (write it like 192.0.2.7)"
        case .ipv6?: "'\(text)' is not an IPv6 address (write it like 2001:db8::7)"
        case nil: "'\(text)' is not an IPv4 or IPv6 address (write it like 192.0.2.7 or 2001:db8::7)"
        }
    }
}

extension IPAddress: CustomStringConvertible {
    /// Parses dotted-quad IPv4 (exactly four decimal parts, no leading zeros) or RFC 4291 IPv6
    /// text, as `inet_pton(3)` does. Strict: no surrounding space, brackets, zone index
    /// (`%eth0`), prefix length or port. `::ffff:192.0.2.1` is the IPv6 address it spells
    /// (scope `.reserved`); `embeddedIPv4` gives the IPv4 address inside.
    public init(parsing text: some StringProtocol) throws(IPAddressSyntaxError) {
        guard let bytes = Self.parse(String(text)) else { throw IPAddressSyntaxError(text: text, expected: nil) }
        self.bytes = bytes
    }

    /// Parses an address that must be of `family`.
    public init(parsing text: some StringProtocol, family: IPFamily) throws(IPAddressSyntaxError) {
        guard let bytes = Self.parse(String(text)), bytes.count == family.byteCount else {
            throw IPAddressSyntaxError(text: text, expected: family)
        }
        self.bytes = bytes
    }

    /// `init(parsing:)` for callers that only need to know whether the text is an address.
    public init?(_ text: some StringProtocol) {
        guard let bytes = Self.parse(String(text)) else { return nil }
        self.bytes = bytes
    }

    /// `init(parsing:family:)` for callers that only need to know whether it fits.
    public init?(_ text: some StringProtocol, family: IPFamily) {
        guard let bytes = Self.parse(String(text)), bytes.count == family.byteCount else { return nil }
        self.bytes = bytes
    }

    /// The canonical text form: dotted quad for IPv4; for IPv6 RFC 5952 section 4 (lower-case hex,
    /// no leading zeros, the longest run of two or more zero groups as `::`) with the mixed form of
    /// section 5 for IPv4-mapped addresses, as `inet_ntop(3)` writes it.
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let ok: Bool = bytes.withUnsafeBytes { raw in
            buffer.withUnsafeMutableBufferPointer { out in
                inet_ntop(family == .ipv4 ? AF_INET : AF_INET6, raw.baseAddress, out.baseAddress, socklen_t(out.count)) != nil
            }
        }
        guard ok else { return bytes.map { String($0) }.joined(separator: ".") }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func parse(_ text: String) -> [UInt8]? {
        // The longest IPv6 text is 45 characters; anything else outside these characters
        // (spaces, brackets, `%zone`, `/len`) is rejected before the C parser sees it.
        guard !text.isEmpty, text.utf8.count <= 45, text.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" }) else {
            return nil
        }
        if text.contains(":") {
            var storage = in6_addr()
            guard inet_pton(AF_INET6, text, &storage) == 1 else { return nil }
            return withUnsafeBytes(of: &storage) { Array($0) }
        }
        var storage = in_addr()
        guard inet_pton(AF_INET, text, &storage) == 1 else { return nil }
        return withUnsafeBytes(of: &storage) { Array($0) }
    }
}
