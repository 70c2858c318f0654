import InternetAddress
import NIOCore

/// A DNS server to talk to: an IP address literal and a port.
public struct DNSServer: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let port: Int

    public init(address: IPAddress, port: Int = 53) {
        self.address = address
        self.port = port
    }

    /// `address` must be an IP literal; use `DNSLookup` first for a host name.
    public init(_ address: String, port: Int = 53) throws {
        guard (1...65535).contains(port) else {
            throw DNSExchangeError.invalidServer("\(address):\(port)", reason: "port must be 1–65535")
        }
        guard let parsed = IPAddress(address) else {
            throw DNSExchangeError.invalidServer(address, reason: "not an IP address")
        }
        self.init(address: parsed, port: port)
    }

    public var description: String {
        address.family == .ipv6 ? "[\(address)]:\(port)" : "\(address):\(port)"
    }

    func socketAddress() throws -> SocketAddress {
        do {
            return try SocketAddress(packedIPAddress: ByteBuffer(bytes: address.bytes), port: port)
        } catch {
            throw DNSExchangeError.invalidServer(description, reason: "\(error)")
        }
    }
}
