/// TCP or UDP: the transport of a built-in listener and of a firewall rule's port match.
public enum Transport: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case tcp
    case udp

    public var description: String { rawValue }
}

/// One port a built-in server uses, as the configuration gives it (21116/udp, 21117/tcp, ...).
public struct InspectedPort: Sendable, Hashable, Codable, CustomStringConvertible {
    public var transport: Transport
    public var port: UInt16

    public init(_ transport: Transport, _ port: UInt16) {
        self.transport = transport
        self.port = port
    }

    /// `21116/udp`, as ufw and firewall documentation write it.
    public var description: String { "\(port)/\(transport)" }
}
