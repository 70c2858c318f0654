/// The kind of an address: only `.public` addresses are reachable from the internet. The raw
/// value is the word shown next to an address that is not usable.
public enum AddressScope: String, Codable, Sendable {
    case `public`
    case privateNetwork = "private"
    case uniqueLocal = "unique-local"
    case cgnat
    case loopback
    case linkLocal = "link-local"
    case multicast
    case unspecified
    case reserved
}

extension IPAddress {
    /// What kind of address this is, most specific first. Documentation ranges count as public:
    /// the test lab uses them as its internet.
    public var scope: AddressScope {
        if isUnspecified { return .unspecified }
        if isLoopback { return .loopback }
        if isLinkLocal { return .linkLocal }
        if isMulticast { return .multicast }
        if isCGNAT { return .cgnat }
        if isPrivate { return family == .ipv4 ? .privateNetwork : .uniqueLocal }
        if isIPv4Mapped { return .reserved }
        if isDocumentation { return .public }
        if isOtherReserved { return .reserved }
        return .public
    }

    /// Globally routable unicast: what an echo service may legitimately report as our address.
    public var isPublic: Bool { scope == .public }

    /// Carrier-grade NAT shared address space, 100.64.0.0/10 (RFC 6598).
    public var isCGNAT: Bool { inside(Self.sharedSpace) }

    /// RFC 1918 private IPv4 (10/8, 172.16/12, 192.168/16) or IPv6 unique local (fc00::/7, RFC 4193).
    public var isPrivate: Bool { inside(Self.privateRanges) }

    /// 127.0.0.0/8 or ::1.
    public var isLoopback: Bool { inside(Self.loopbackRanges) }

    /// 169.254.0.0/16 or fe80::/10.
    public var isLinkLocal: Bool { inside(Self.linkLocalRanges) }

    /// 224.0.0.0/4 or ff00::/8.
    public var isMulticast: Bool { inside(Self.multicastRanges) }

    /// 0.0.0.0 or ::.
    public var isUnspecified: Bool { bytes.allSatisfy { $0 == 0 } }

    /// ::ffff:0:0/96: an IPv4 address dressed as IPv6; never a usable IPv6 answer.
    public var isIPv4Mapped: Bool { inside(Self.ipv4MappedRange) }

    /// TEST-NET-1/2/3 (192.0.2/24, 198.51.100/24, 203.0.113/24; RFC 5737) and 2001:db8::/32 (RFC 3849).
    public var isDocumentation: Bool { inside(Self.documentationRanges) }

    /// Neither private nor public: 0/8, 192.0.0/24, 198.18/15 (benchmarking), 240/4 and broadcast
    /// (RFC 6890); for IPv6 everything outside 2000::/3 not classified otherwise.
    private var isOtherReserved: Bool {
        switch family {
        case .ipv4: inside(Self.otherReservedIPv4)
        case .ipv6: !inside(Self.globalUnicastIPv6)
        }
    }

    private func inside(_ ranges: [(IPAddress, Int)]) -> Bool {
        ranges.contains { isInside($0.0, length: $0.1) }
    }

    private static let sharedSpace = [(IPAddress(100, 64, 0, 0), 10)]
    private static let privateRanges = [(IPAddress(10, 0, 0, 0), 8), (IPAddress(172, 16, 0, 0), 12), (IPAddress(192, 168, 0, 0), 16),
                                        (v6([0xfc]), 7)]
    private static let loopbackRanges = [(IPAddress(127, 0, 0, 0), 8), (v6([], last: 1), 128)]
    private static let linkLocalRanges = [(IPAddress(169, 254, 0, 0), 16), (v6([0xfe, 0x80]), 10)]
    private static let multicastRanges = [(IPAddress(224, 0, 0, 0), 4), (v6([0xff]), 8)]
    private static let ipv4MappedRange = [(v6([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]), 96)]
    private static let documentationRanges = [(IPAddress(192, 0, 2, 0), 24), (IPAddress(198, 51, 100, 0), 24),
                                              (IPAddress(203, 0, 113, 0), 24), (v6([0x20, 0x01, 0x0d, 0xb8]), 32)]
    private static let otherReservedIPv4 = [(IPAddress(0, 0, 0, 0), 8), (IPAddress(192, 0, 0, 0), 24), (IPAddress(198, 18, 0, 0), 15),
                                            (IPAddress(240, 0, 0, 0), 4)]
    private static let globalUnicastIPv6 = [(v6([0x20]), 3)]

    /// An IPv6 prefix from its leading bytes (the rest zero), optionally with a last byte.
    private static func v6(_ leading: [UInt8], last: UInt8 = 0) -> IPAddress {
        var bytes = leading + [UInt8](repeating: 0, count: 16 - leading.count)
        bytes[15] |= last
        return IPAddress(unchecked: bytes)
    }
}
