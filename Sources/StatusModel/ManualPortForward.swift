import InternetAddress

/// One port forward to enter by hand in the router's port-forwarding page, shown by `homeport
/// status` while the router does not map that port itself (`[router] map_ports = true` and the
/// router is silent or refuses).
public struct ManualPortForward: Sendable, Codable, Equatable {
    public var service: String
    /// `tcp` or `udp`.
    public var transport: String
    public var externalPort: Int
    /// This host's LAN address: the one it reaches the default gateway from.
    public var internalAddress: IPAddress
    public var internalPort: Int
    /// What the port is for, e.g. `homeport rendezvous NAT test`.
    public var description: String

    enum CodingKeys: String, CodingKey {
        case service, transport, description
        case externalPort = "external_port"
        case internalAddress = "internal_address"
        case internalPort = "internal_port"
    }

    public init(service: String, transport: String, externalPort: Int, internalAddress: IPAddress, internalPort: Int, description: String) {
        self.service = service
        self.transport = transport
        self.externalPort = externalPort
        self.internalAddress = internalAddress
        self.internalPort = internalPort
        self.description = description
    }
}
