/// An IPv4 address as four bytes, parsed strictly from dotted-quad text.
///
/// Routers are addressed by IPv4 literal only: UPnP, NAT-PMP and PCP all speak to the default
/// gateway, so a host name is never valid here.
public struct IPv4Address: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let bytes: [UInt8]

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        bytes = [a, b, c, d]
    }

    /// From four bytes in network order; nil when the count is not 4.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 else { return nil }
        self.bytes = bytes
    }

    /// From a host-order 32-bit value.
    public init(hostOrder value: UInt32) {
        bytes = [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
    }

    /// Dotted quad such as "192.168.1.1"; nil for anything else (no leading zeros, no host names).
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  !(part.count > 1 && part.first == "0"), let value = UInt8(part) else { return nil }
            out.append(value)
        }
        bytes = out
    }

    public var hostOrder: UInt32 {
        bytes.reduce(0) { ($0 << 8) | UInt32($1) }
    }

    public var description: String { bytes.map { "\($0)" }.joined(separator: ".") }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = IPv4Address(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an IPv4 address: \(text)"))
        }
        self = parsed
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.hostOrder < rhs.hostOrder }

    /// The 16-byte IPv4-mapped IPv6 form (::ffff:a.b.c.d) that PCP carries addresses in.
    public var ipv4Mapped: [UInt8] { [UInt8](repeating: 0, count: 10) + [0xff, 0xff] + bytes }

    /// The IPv4 address inside an IPv4-mapped IPv6 address, or nil when it is not one.
    public init?(ipv4Mapped raw: [UInt8]) {
        guard raw.count == 16, raw[0..<10].allSatisfy({ $0 == 0 }), raw[10] == 0xff, raw[11] == 0xff else { return nil }
        bytes = Array(raw[12..<16])
    }

    public static let any = IPv4Address(0, 0, 0, 0)

    /// Addresses that cannot be reached from the internet: private (RFC 1918), carrier-grade NAT
    /// (RFC 6598), loopback, link-local, documentation and benchmarking ranges. A router that
    /// reports one of these as its WAN address sits behind another NAT.
    public var isReservedForNonPublicUse: Bool {
        let v = hostOrder
        func inRange(_ base: IPv4Address, _ bits: UInt32) -> Bool {
            let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
            return v & mask == base.hostOrder & mask
        }
        return inRange(IPv4Address(0, 0, 0, 0), 8) || inRange(IPv4Address(10, 0, 0, 0), 8)
            || inRange(IPv4Address(100, 64, 0, 0), 10) || inRange(IPv4Address(127, 0, 0, 0), 8)
            || inRange(IPv4Address(169, 254, 0, 0), 16) || inRange(IPv4Address(172, 16, 0, 0), 12)
            || inRange(IPv4Address(192, 0, 0, 0), 24) || inRange(IPv4Address(192, 0, 2, 0), 24)
            || inRange(IPv4Address(192, 168, 0, 0), 16) || inRange(IPv4Address(198, 18, 0, 0), 15)
            || inRange(IPv4Address(198, 51, 100, 0), 24) || inRange(IPv4Address(203, 0, 113, 0), 24)
            || inRange(IPv4Address(224, 0, 0, 0), 4) || inRange(IPv4Address(240, 0, 0, 0), 4)
    }
}
