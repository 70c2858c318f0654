import InternetAddress

/// One forward in the router's own table, whoever made it (by hand over UPnP, another program,
/// homeport): what UPnP IGD's GetGenericPortMappingEntry reports, with the internal client typed.
public struct RouterForward: Sendable, Hashable {
    public var externalPort: UInt16
    public var proto: TransportProtocol
    /// The LAN host the router sends the traffic to.
    public var internalClient: IPAddress
    public var internalPort: UInt16
    public var enabled: Bool
    public var description: String
    /// Seconds left; 0 is permanent.
    public var leaseSeconds: UInt32

    public init(externalPort: UInt16, proto: TransportProtocol, internalClient: IPAddress, internalPort: UInt16,
                enabled: Bool = true, description: String = "", leaseSeconds: UInt32 = 0) {
        self.externalPort = externalPort
        self.proto = proto
        self.internalClient = internalClient
        self.internalPort = internalPort
        self.enabled = enabled
        self.description = description
        self.leaseSeconds = leaseSeconds
    }

    /// nil when the entry's internal client is not an IPv4 address (a UPnP IGD forwards to IPv4 hosts only).
    init?(_ entry: UPnPMappingEntry) {
        guard let client = IPAddress(entry.internalClient, family: .ipv4) else { return nil }
        self.init(externalPort: entry.externalPort, proto: entry.proto, internalClient: client, internalPort: entry.internalPort,
                  enabled: entry.enabled, description: entry.description, leaseSeconds: entry.leaseDuration)
    }
}
