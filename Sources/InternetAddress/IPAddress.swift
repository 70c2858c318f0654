/// An IPv4 or IPv6 address, stored as its 4 or 16 network-order bytes: the one address type every
/// module passes around. Text appears only where an address enters or leaves the program
/// (configuration, command line, echo answers, DNS, history columns): `IPAddress(text)` parses
/// strictly, `description` gives the canonical form.
public struct IPAddress: Hashable, Sendable {
    public let bytes: [UInt8]

    public var family: IPFamily { bytes.count == 4 ? .ipv4 : .ipv6 }

    /// An address from 4 (IPv4) or 16 (IPv6) network-order bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// The IPv4 address `a.b.c.d`.
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        bytes = [a, b, c, d]
    }

    /// The IPv4 address whose 32 bits, most significant first, are `value` (how `sockaddr_in`
    /// and NAT-PMP carry it once byte-swapped to host order).
    public init(ipv4HostOrder value: UInt32) {
        bytes = [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
    }

    /// The 32 bits of an IPv4 address, most significant first; nil for IPv6.
    public var ipv4HostOrder: UInt32? {
        family == .ipv4 ? bytes.reduce(0) { ($0 << 8) | UInt32($1) } : nil
    }

    /// 0.0.0.0: "no address" in NAT-PMP and PCP answers and in routing tables.
    public static let ipv4Unspecified = IPAddress(0, 0, 0, 0)
}

extension IPAddress: Comparable {
    /// IPv4 before IPv6, then by value.
    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        if lhs.bytes.count != rhs.bytes.count { return lhs.bytes.count < rhs.bytes.count }
        return lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}

extension IPAddress: Codable {
    /// Decoded from its text form, so JSON and state files read like the rest of the output.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try IPAddress(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
