import InternetAddress

/// An IP address and a UDP port: where a datagram left from or went to, and what a NAT mapped.
public struct TransportEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    public var port: Int

    public init(address: IPAddress, port: Int) {
        self.address = address
        self.port = port
    }

    /// `192.0.2.7:3478`, `[2001:db8::7]:3478`.
    public var description: String {
        address.family == .ipv6 ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}
