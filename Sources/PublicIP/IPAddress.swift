#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address, stored as its 4 or 16 network-order bytes. Parsing is strict
/// (no brackets, zone ids, prefixes or surrounding text); `scope` says what kind of address it is,
/// and only `.public` addresses count as an outside view.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public var family: IPFamily { bytes.count == 4 ? .ipv4 : .ipv6 }

    /// Parses a textual IPv4 (dotted quad) or IPv6 address; nil for anything else.
    public init?(_ text: some StringProtocol) {
        let text = String(text)
        guard !text.isEmpty, text.utf8.count <= 45, text.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" }) else {
            return nil
        }
        if text.contains(":") {
            var storage = in6_addr()
            guard inet_pton(AF_INET6, text, &storage) == 1 else { return nil }
            bytes = withUnsafeBytes(of: &storage) { Array($0) }
        } else {
            var storage = in_addr()
            guard inet_pton(AF_INET, text, &storage) == 1 else { return nil }
            bytes = withUnsafeBytes(of: &storage) { Array($0) }
        }
    }

    /// An address from 4 (IPv4) or 16 (IPv6) network-order bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses an address that must be of `family`.
    public init?(_ text: some StringProtocol, family: IPFamily) {
        guard let address = IPAddress(text), address.family == family else { return nil }
        self = address
    }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: 64)
        let ok: Bool = bytes.withUnsafeBytes { raw in
            buffer.withUnsafeMutableBufferPointer { out in
                inet_ntop(family == .ipv4 ? AF_INET : AF_INET6, raw.baseAddress, out.baseAddress, socklen_t(out.count)) != nil
            }
        }
        guard ok else { return bytes.map { String($0) }.joined(separator: ".") }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: Classification

    /// Whether the first `length` bits equal those of `prefix` (same family only).
    public func isInside(_ prefix: IPAddress, length: Int) -> Bool {
        guard prefix.family == family, length >= 0, length <= bytes.count * 8 else { return false }
        var remaining = length
        for index in bytes.indices where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if bytes[index] & mask != prefix.bytes[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    private func inside(_ text: String, _ length: Int) -> Bool {
        guard let prefix = IPAddress(text) else { return false }
        return isInside(prefix, length: length)
    }

    /// Carrier-grade NAT shared address space, 100.64.0.0/10 (RFC 6598).
    public var isCGNAT: Bool { family == .ipv4 && inside("100.64.0.0", 10) }

    /// RFC 1918 private IPv4 (10/8, 172.16/12, 192.168/16) or IPv6 unique local (fc00::/7).
    public var isPrivate: Bool {
        switch family {
        case .ipv4: inside("10.0.0.0", 8) || inside("172.16.0.0", 12) || inside("192.168.0.0", 16)
        case .ipv6: inside("fc00::", 7)
        }
    }

    public var isLoopback: Bool { family == .ipv4 ? inside("127.0.0.0", 8) : bytes == IPAddress.ipv6Loopback }

    /// 169.254.0.0/16 or fe80::/10.
    public var isLinkLocal: Bool { family == .ipv4 ? inside("169.254.0.0", 16) : inside("fe80::", 10) }

    public var isMulticast: Bool { family == .ipv4 ? inside("224.0.0.0", 4) : inside("ff00::", 8) }

    public var isUnspecified: Bool { bytes.allSatisfy { $0 == 0 } }

    /// ::ffff:0:0/96 — an IPv4 address dressed as IPv6; never a usable IPv6 answer.
    public var isIPv4Mapped: Bool { family == .ipv6 && inside("::ffff:0:0", 96) }

    /// TEST-NET-1/2/3 (192.0.2/24, 198.51.100/24, 203.0.113/24) and 2001:db8::/32. Treated as public:
    /// the test lab uses them as its internet.
    public var isDocumentation: Bool {
        switch family {
        case .ipv4: inside("192.0.2.0", 24) || inside("198.51.100.0", 24) || inside("203.0.113.0", 24)
        case .ipv6: inside("2001:db8::", 32)
        }
    }

    /// Addresses that are neither private nor public: 0/8, 192.0.0/24, 198.18/15 (benchmarking),
    /// 240/4 and broadcast; for IPv6 everything outside 2000::/3 not classified otherwise.
    private var isOtherReserved: Bool {
        switch family {
        case .ipv4: inside("0.0.0.0", 8) || inside("192.0.0.0", 24) || inside("198.18.0.0", 15) || inside("240.0.0.0", 4)
        case .ipv6: !inside("2000::", 3)
        }
    }

    /// What kind of address this is, most specific first.
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
    public var isGlobalUnicast: Bool { scope == .public }

    /// Same as `isGlobalUnicast`: the address is usable from the internet.
    public var isPublic: Bool { scope == .public }

    private static let ipv6Loopback: [UInt8] = Array(repeating: 0, count: 15) + [1]
}

/// The kind of an address, as reported next to answers that are not usable.
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

extension IPAddress: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let address = IPAddress(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text.prefix(60))' is not an IPv4 or IPv6 address")
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension IPAddress: Comparable {
    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        if lhs.bytes.count != rhs.bytes.count { return lhs.bytes.count < rhs.bytes.count }
        return lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}
