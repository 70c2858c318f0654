/// How the probe tests one port, named in a request as `check`. Each kind is the exchange a
/// RustDesk client makes first on that port (docs/rustdesk-protocol.md#listeners), so `open`
/// means homeport's server answered, not merely that something accepted a connection.
public enum PortCheckKind: String, Codable, Sendable, CaseIterable, Equatable {
    /// A TCP connect and nothing more (the relay's port: its first message would start a session).
    case tcpConnect = "tcp_connect"
    /// TestNatRequest in one RustDesk TCP frame; open when TestNatResponse comes back
    /// (TCP P − 1 and P, docs/rustdesk-protocol.md#nat-test).
    case natTest = "nat_test"
    /// An RFC 6455 upgrade request; open on `101 Switching Protocols` with the right
    /// Sec-WebSocket-Accept (WebSocket ports P + 2 and R + 2, docs/rustdesk-protocol.md#websocket).
    case websocket
    /// RegisterPeer in one UDP datagram; open when RegisterPeerResponse comes back (UDP P,
    /// docs/rustdesk-protocol.md#register-peer). The id is random and unknown to the server, which
    /// therefore answers `request_pk = true` and stores nothing.
    case registerPeer = "register_peer"

    /// The transport the check uses.
    public var transport: PortTransport { self == .registerPeer ? .udp : .tcp }

    /// The kinds as the request spells them, for error messages.
    public static var spellings: String { allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ") }
}

public enum PortTransport: String, Codable, Sendable, Equatable {
    case tcp, udp
}
