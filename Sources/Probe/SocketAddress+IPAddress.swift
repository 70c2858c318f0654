import InternetAddress
import NIOCore

extension SocketAddress {
    /// The IP address of an IPv4 or IPv6 socket address; an IPv4-mapped IPv6 peer (a dual-stack
    /// listener's IPv4 client) is the IPv4 address it carries (docs/rustdesk-protocol.md#address-normalization).
    var internetAddress: IPAddress? {
        let bytes: [UInt8]
        switch self {
        case .v4(let address):
            bytes = withUnsafeBytes(of: address.address.sin_addr) { Array($0) }
        case .v6(let address):
            bytes = withUnsafeBytes(of: address.address.sin6_addr) { Array($0) }
        case .unixDomainSocket:
            return nil
        }
        guard let address = IPAddress(bytes: bytes) else { return nil }
        return address.embeddedIPv4 ?? address
    }
}
