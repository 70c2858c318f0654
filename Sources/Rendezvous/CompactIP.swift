import RustDeskWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IP address in 16 bytes with 8-byte alignment (IPv4 as ::ffff:a.b.c.d), so a peer entry
/// needs no padding for it. All zeros means "unknown".
struct CompactIP: Equatable, Sendable {
    var high: UInt64
    var low: UInt64

    static let unknown = CompactIP(high: 0, low: 0)

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    init(_ address: PeerAddress) {
        switch address {
        case .v4(let ip, _):
            high = 0
            low = 0xFFFF_0000_0000 | UInt64(ip)
        case .v6(let ip, _):
            high = UInt64(truncatingIfNeeded: ip >> 64)
            low = UInt64(truncatingIfNeeded: ip)
        }
    }

    /// From stored text (a database `info` IP); unknown when it does not parse.
    init(text: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.init(.v4(UInt32(bigEndian: v4.s_addr), port: 0))
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            self.init((PeerAddress.ipv6(bytes: bytes, port: 0) ?? .v4(0, port: 0)).normalized)
        } else {
            self = .unknown
        }
    }

    func address(port: UInt16) -> PeerAddress {
        if high == 0, low >> 32 == 0xFFFF {
            return .v4(UInt32(truncatingIfNeeded: low), port: port)
        }
        return .v6(UInt128(high) << 64 | UInt128(low), port: port)
    }
}
