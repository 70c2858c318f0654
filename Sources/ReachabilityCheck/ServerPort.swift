import Config

/// A port an outside RustDesk client needs, from the configured built-in servers
/// (docs/rustdesk-protocol.md#ports): the ID server takes TCP port − 1 (NAT test), TCP and UDP
/// port, TCP port + 2 (WebSocket); the relay TCP port and port + 2 (WebSocket).
public struct ServerPort: Sendable, Codable, Hashable {
    public enum Transport: String, Sendable, Codable {
        case tcp, udp
    }

    public enum Role: String, Sendable, Codable {
        case natTest = "nat_test"
        case idServer = "id_server"
        case idServerWebSocket = "id_server_websocket"
        case relay
        case relayWebSocket = "relay_websocket"
    }

    public var transport: Transport
    public var port: Int
    public var role: Role

    public init(transport: Transport, port: Int, role: Role) {
        self.transport = transport
        self.port = port
        self.role = role
    }

    /// "UDP 21116", as printed and as on a router's forwarding page.
    public var label: String { "\(transport.rawValue.uppercased()) \(port)" }

    /// What the port is for, in the words of the client's settings.
    public var purpose: String {
        switch role {
        case .natTest: "ID server NAT test"
        case .idServer: transport == .udp ? "ID server registrations" : "ID server connections"
        case .idServerWebSocket: "ID server WebSocket (web client)"
        case .relay: "relay"
        case .relayWebSocket: "relay WebSocket (web client)"
        }
    }

    /// Stable identifier part, e.g. `udp.21116`.
    public var key: String { "\(transport.rawValue).\(port)" }

    /// Every port the enabled servers need, in the order a router page lists them.
    public static func all(rendezvous: BuiltinServerSettings, relay: BuiltinServerSettings) -> [ServerPort] {
        var ports: [ServerPort] = []
        if rendezvous.enabled {
            let port = rendezvous.port
            ports += [
                ServerPort(transport: .tcp, port: port - 1, role: .natTest),
                ServerPort(transport: .tcp, port: port, role: .idServer),
                ServerPort(transport: .udp, port: port, role: .idServer),
                ServerPort(transport: .tcp, port: port + 2, role: .idServerWebSocket),
            ]
        }
        if relay.enabled {
            ports += [
                ServerPort(transport: .tcp, port: relay.port, role: .relay),
                ServerPort(transport: .tcp, port: relay.port + 2, role: .relayWebSocket),
            ]
        }
        return ports
    }
}
