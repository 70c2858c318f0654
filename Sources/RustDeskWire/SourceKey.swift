/// What counts as one source for the per-source connection caps: an IPv4 address, or the /64
/// of an IPv6 one, since a single IPv6 host usually holds a whole /64 (RFC 4291 §2.5.1, RFC
/// 7421) and could otherwise open each connection from a fresh address. IPv4-mapped and
/// IPv4-compatible IPv6 addresses count as their IPv4 address (`PeerAddress.normalized`).
public enum SourceKey: Hashable, Sendable, CustomStringConvertible {
    case v4(UInt32)
    case v6Prefix(UInt64)

    public init(_ address: PeerAddress) {
        switch address.normalized {
        case .v4(let ip, _): self = .v4(ip)
        case .v6(let ip, _): self = .v6Prefix(UInt64(truncatingIfNeeded: ip >> 64))
        }
    }

    public var description: String {
        switch self {
        case .v4(let ip):
            return PeerAddress.v4(ip, port: 0).ipText
        case .v6Prefix(let prefix):
            let groups = (0..<4).map { String(UInt16(truncatingIfNeeded: prefix >> (48 - 16 * $0)), radix: 16) }
            return groups.joined(separator: ":") + "::/64"
        }
    }
}
