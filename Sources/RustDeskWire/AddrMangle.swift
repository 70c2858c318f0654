#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The socket-address encoding inside RustDesk messages (docs/rustdesk-protocol.md#address-encoding; hbb_common src/lib.rs). IPv4 is mixed with a time
/// value so router ALGs do not recognise and rewrite their own address; IPv6 is sent plainly.
/// Decoding uses wrapping arithmetic only: the bytes come from the network.
public enum AddrMangle {
    /// Encodes `address` (normalized first) with the given time value.
    public static func encode(_ address: PeerAddress, time: UInt32) -> [UInt8] {
        switch address.normalized {
        case .v4(let ip, let port):
            // The spec reads the octets a.b.c.d as a little-endian integer.
            let littleEndianIP = UInt128(ip.byteSwapped)
            let tm = UInt128(time)
            // Cannot overflow: the widest part, (ip + tm) << 49, stays below 2^82.
            let value = (littleEndianIP + tm) << 49 | tm << 17 | (UInt128(port) + (tm & 0xFFFF))
            var bytes = (0..<16).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
            while bytes.last == 0 { bytes.removeLast() }
            return bytes
        case .v6(_, let port):
            return address.normalized.ipv6Bytes + [UInt8(truncatingIfNeeded: port), UInt8(truncatingIfNeeded: port >> 8)]
        }
    }

    /// Encodes with the current time in microseconds, low 32 bits, as upstream does.
    public static func encode(_ address: PeerAddress) -> [UInt8] {
        encode(address, time: currentTime())
    }

    /// Decodes any byte string without trapping: 18 bytes are IPv6, up to 16 bytes IPv4 (empty
    /// gives 0.0.0.0:0), anything else the unspecified address [::]:0, as upstream yields.
    public static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> PeerAddress {
        let count = bytes.count
        if count == 18 {
            let port = bytes.dropFirst(16).reversed().reduce(UInt16(0)) { $0 << 8 | UInt16($1) }
            return PeerAddress.ipv6(bytes: bytes.prefix(16), port: port) ?? .v6(0, port: 0)
        }
        guard count <= 16 else { return .v6(0, port: 0) }
        // Little-endian, implicitly right-padded with zeros to 16 bytes.
        let n = bytes.reversed().reduce(UInt128(0)) { $0 << 8 | UInt128($1) }
        let tm = UInt32(truncatingIfNeeded: n >> 17)
        let littleEndianIP = UInt32(truncatingIfNeeded: n >> 49) &- tm
        let port = UInt16(truncatingIfNeeded: n) &- UInt16(truncatingIfNeeded: tm)
        return .v4(littleEndianIP.byteSwapped, port: port)
    }

    private static func currentTime() -> UInt32 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let micros = Int64(now.tv_sec) &* 1_000_000 &+ Int64(now.tv_nsec) / 1_000
        return UInt32(truncatingIfNeeded: micros)
    }
}
