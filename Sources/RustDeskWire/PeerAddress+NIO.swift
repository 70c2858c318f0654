import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension PeerAddress {
    /// The normalized (docs/rustdesk-protocol.md#address-normalization) address of a NIO IP socket address; nil for Unix sockets.
    public init?(_ address: SocketAddress) {
        switch address {
        case .v4(let v4):
            let ip = UInt32(bigEndian: v4.address.sin_addr.s_addr)
            self = .v4(ip, port: UInt16(bigEndian: v4.address.sin_port))
        case .v6(let v6):
            var storage = v6.address
            let bytes = withUnsafeBytes(of: &storage.sin6_addr) { Array($0) }
            guard let raw = PeerAddress.ipv6(bytes: bytes, port: UInt16(bigEndian: storage.sin6_port)) else {
                return nil
            }
            self = raw.normalized
        case .unixDomainSocket:
            return nil
        }
    }

    /// The NIO address to send to or connect to. IPv4 stays IPv4: a dual-stack socket must map
    /// it itself, which NIO does not do.
    public var socketAddress: SocketAddress {
        switch self {
        case .v4(let ip, let port):
            var raw = sockaddr_in()
            raw.sin_family = sa_family_t(AF_INET)
            raw.sin_port = port.bigEndian
            raw.sin_addr.s_addr = ip.bigEndian
            return SocketAddress(raw, host: ipText)
        case .v6(_, let port):
            var raw = sockaddr_in6()
            raw.sin6_family = sa_family_t(AF_INET6)
            raw.sin6_port = port.bigEndian
            let bytes = ipv6Bytes
            withUnsafeMutableBytes(of: &raw.sin6_addr) { target in
                target.copyBytes(from: bytes)
            }
            return SocketAddress(raw, host: ipText)
        }
    }
}
