import NIOCore

/// A socket address as the rendezvous logic needs it: small, hashable, and free of the
/// `sockaddr` storage NIO carries. Build it with `init?(_:)` from a NIO address, which
/// normalizes (docs/rustdesk-protocol.md#address-normalization), so that one peer is always keyed the same way.
public enum PeerAddress: Hashable, Sendable {
    /// IPv4. The value holds the octets a.b.c.d as `a << 24 | b << 16 | c << 8 | d`, i.e. the
    /// number one reads in the dotted form (network order as a value, independent of the host).
    case v4(UInt32, port: UInt16)
    /// IPv6. The value holds the 16 address bytes in network order, byte 0 most significant.
    case v6(UInt128, port: UInt16)

    /// `a.b.c.d:port`.
    public static func ipv4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, port: UInt16) -> PeerAddress {
        .v4(UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d), port: port)
    }

    /// An IPv6 address from its 16 bytes in network order (nil for any other count).
    public static func ipv6<Bytes: Collection<UInt8>>(bytes: Bytes, port: UInt16) -> PeerAddress? {
        guard bytes.count == 16 else { return nil }
        return .v6(bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) }, port: port)
    }

    public var port: UInt16 {
        switch self {
        case .v4(_, let port), .v6(_, let port): port
        }
    }

    /// The same IP with another port.
    public func with(port: UInt16) -> PeerAddress {
        switch self {
        case .v4(let ip, _): .v4(ip, port: port)
        case .v6(let ip, _): .v6(ip, port: port)
        }
    }

    /// The IPv6 address bytes in network order (for `.v4`, the IPv4-mapped form ::ffff:a.b.c.d).
    public var ipv6Bytes: [UInt8] {
        let value: UInt128
        switch self {
        case .v4(let ip, _): value = 0xFFFF << 32 | UInt128(ip)
        case .v6(let ip, _): value = ip
        }
        return (0..<16).map { UInt8(truncatingIfNeeded: value >> (8 * (15 - $0))) }
    }

    /// The address bytes in network order after normalization: 4 for IPv4 (also when it
    /// arrived IPv4-mapped on a dual-stack socket), 16 for IPv6.
    public var addressBytes: [UInt8] {
        switch normalized {
        case .v4(let ip, _): [UInt8(ip >> 24), UInt8((ip >> 16) & 0xff), UInt8((ip >> 8) & 0xff), UInt8(ip & 0xff)]
        case .v6: ipv6Bytes
        }
    }

    /// docs/rustdesk-protocol.md#address-normalization: IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d, including ::)
    /// IPv6 addresses become IPv4; ::1 stays IPv6 because it is the IPv6 loopback, not 0.0.0.1.
    public var normalized: PeerAddress {
        guard case .v6(let ip, let port) = self, ip != 1 else { return self }
        let high = ip >> 32
        guard high == 0 || high == 0xFFFF else { return self }
        return .v4(UInt32(truncatingIfNeeded: ip), port: port)
    }

    /// 127.0.0.0/8 or ::1 (after normalization, so ::ffff:127.0.0.1 counts too).
    public var isLoopback: Bool {
        switch normalized {
        case .v4(let ip, _): ip >> 24 == 127
        case .v6(let ip, _): ip == 1
        }
    }

    /// Whether both addresses have the same IP, ignoring ports and IPv4-in-IPv6 spelling.
    public func sameIP(as other: PeerAddress) -> Bool {
        switch (normalized, other.normalized) {
        case (.v4(let a, _), .v4(let b, _)): a == b
        case (.v6(let a, _), .v6(let b, _)): a == b
        default: false
        }
    }
}
