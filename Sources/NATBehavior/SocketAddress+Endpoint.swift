import InternetAddress
import NIOCore

extension SocketAddress {
    /// The IP address of an IPv4 or IPv6 socket address; nil for a Unix socket.
    var ipAddress: IPAddress? {
        switch self {
        case .v4(let address):
            return IPAddress(ipv4HostOrder: UInt32(bigEndian: address.address.sin_addr.s_addr))
        case .v6(let address):
            return IPAddress(bytes: withUnsafeBytes(of: address.address.sin6_addr) { Array($0) })
        case .unixDomainSocket:
            return nil
        }
    }

    /// Address and port, for an IPv4 or IPv6 socket address.
    var endpoint: TransportEndpoint? {
        guard let address = ipAddress, let port else { return nil }
        return TransportEndpoint(address: address, port: port)
    }

    init(_ endpoint: TransportEndpoint) throws {
        try self.init(packedIPAddress: ByteBuffer(bytes: endpoint.address.bytes), port: endpoint.port)
    }
}
