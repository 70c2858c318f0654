import NIOCore
import RustDeskWire

extension PeerAddress {
    /// The IPv4 value (a<<24 | b<<16 | c<<8 | d), for LAN-mask tests.
    var ipv4Value: UInt32? {
        if case .v4(let ip, _) = self { return ip }
        return nil
    }

    /// Where to send from a socket of the given family: a dual-stack IPv6 socket reaches
    /// IPv4 peers at their IPv4-mapped address.
    func socketAddress(mappedToIPv6: Bool) -> SocketAddress? {
        guard mappedToIPv6, case .v4 = self else { return socketAddress }
        let bytes = ipv6Bytes
        var text = "::ffff:"
        text += "\(bytes[12]).\(bytes[13]).\(bytes[14]).\(bytes[15])"
        return try? SocketAddress(ipAddress: text, port: Int(port))
    }
}
