import Foundation
import InternetAddress

/// One listening socket of the built-in RustDesk servers (docs/rustdesk-protocol.md#ports): the
/// ID server takes UDP and TCP on its port, TCP port − 1 for the NAT test and TCP port + 2 for
/// WebSocket clients; the relay TCP on its port and port + 2 for WebSocket clients.
///
/// It lives beside the history table that keeps each listener's last outside contact; the
/// servers, the daemon, the status model and the reports take it from here.
public enum BuiltinListener: String, Codable, Sendable, CaseIterable, Comparable {
    case rendezvousUDP = "id_server_udp"
    case rendezvousTCP = "id_server_tcp"
    case natTest = "nat_test_tcp"
    case rendezvousWebSocket = "id_server_websocket"
    case relayTCP = "relay_tcp"
    case relayWebSocket = "relay_websocket"

    public enum Transport: String, Codable, Sendable {
        case tcp, udp

        /// "TCP" or "UDP", as port numbers are written in the status.
        public var label: String { rawValue.uppercased() }
    }

    public enum Server: String, Codable, Sendable {
        case rendezvous, relay
    }

    public var transport: Transport { self == .rendezvousUDP ? .udp : .tcp }

    public var server: Server {
        switch self {
        case .rendezvousUDP, .rendezvousTCP, .natTest, .rendezvousWebSocket: .rendezvous
        case .relayTCP, .relayWebSocket: .relay
        }
    }

    /// Where this listener is relative to its server's configured port.
    public var portOffset: Int {
        switch self {
        case .natTest: -1
        case .rendezvousWebSocket, .relayWebSocket: 2
        default: 0
        }
    }

    /// The listener's port when its server is configured with `serverPort`.
    public func port(serverPort: Int) -> Int { serverPort + portOffset }

    /// What a person calls it.
    public var title: String {
        switch self {
        case .rendezvousUDP: "ID server registration"
        case .rendezvousTCP: "ID server"
        case .natTest: "NAT test"
        case .rendezvousWebSocket: "ID server WebSocket"
        case .relayTCP: "relay"
        case .relayWebSocket: "relay WebSocket"
        }
    }

    /// Declaration order: the ID server's listeners, then the relay's.
    public static func < (lhs: BuiltinListener, rhs: BuiltinListener) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

/// What arrived from outside: the most telling thing seen from the source, the latest winning.
public enum OutsideContactKind: String, Codable, Sendable {
    /// A TCP connection was accepted (nothing decoded from it yet).
    case connection
    /// A datagram that was neither a registration nor anything else answered.
    case datagram
    /// RegisterPeer or RegisterPk: a RustDesk client announcing itself.
    case registration
    case punchHoleRequest = "punch_hole_request"
    /// A RequestRelay sent to the ID server (it tells the other side to use the relay).
    case relayRequest = "relay_request"
    case natTest = "nat_test"
    /// A RequestRelay accepted by the relay: one side of a relayed session.
    case relaySession = "relay_session"

    /// How the status line names it: "last outside <words> 3 min ago".
    public var words: String {
        switch self {
        case .connection: "connection"
        case .datagram: "datagram"
        case .registration: "registration"
        case .punchHoleRequest: "punch-hole request"
        case .relayRequest: "relay request"
        case .natTest: "NAT test"
        case .relaySession: "relay session"
        }
    }
}

/// The last contact a listener had from a public address: proof that the router forwards the
/// port, without a probe. Private, loopback, link-local, CGNAT and other non-public sources
/// (`AddressScope`) never make one.
public struct OutsideContact: Codable, Sendable, Equatable {
    public var listener: BuiltinListener
    public var port: Int
    public var kind: OutsideContactKind
    public var source: IPAddress
    public var at: Date

    public var transport: BuiltinListener.Transport { listener.transport }

    public init(listener: BuiltinListener, port: Int, kind: OutsideContactKind, source: IPAddress, at: Date) {
        self.listener = listener
        self.port = port
        self.kind = kind
        self.source = source
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case listener, port, kind, source, at, transport
    }

    // The time is always RFC 3339 text, whatever date strategy the encoder has: these values
    // travel from the servers' admin sockets through the daemon to `status --json`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        listener = try container.decode(BuiltinListener.self, forKey: .listener)
        port = try container.decode(Int.self, forKey: .port)
        kind = try container.decode(OutsideContactKind.self, forKey: .kind)
        source = try container.decode(IPAddress.self, forKey: .source)
        let text = try container.decode(String.self, forKey: .at)
        guard let date = try? Date(text, strategy: Self.timeFormat) else {
            throw DecodingError.dataCorruptedError(forKey: .at, in: container, debugDescription: "not an RFC 3339 time: \(text)")
        }
        at = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(listener, forKey: .listener)
        try container.encode(transport, forKey: .transport)
        try container.encode(port, forKey: .port)
        try container.encode(kind, forKey: .kind)
        try container.encode(source, forKey: .source)
        try container.encode(at.formatted(Self.timeFormat), forKey: .at)
    }

    private static let timeFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}
