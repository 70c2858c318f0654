/// The body of `POST /v1/check`: the ports the requester wants tested, from outside, on its own
/// address. JSON, snake_case keys:
///
///     {"ports": [{"port": 21115, "check": "nat_test"},
///                {"port": 21116, "check": "register_peer"},
///                {"port": 21117, "check": "tcp_connect"},
///                {"port": 21118, "check": "websocket"}]}
///
/// There is deliberately no address field: the probe tests only the TCP peer address of the
/// HTTP connection, so it can be neither a port scanner for third addresses nor a reflector.
/// Keys the probe does not know (an `address`, a `target`, ...) are ignored and named in the
/// answer's `ignored_fields`, so a client learns that they had no effect.
public struct ProbeRequest: Sendable, Equatable {
    public struct Port: Codable, Sendable, Equatable, Hashable {
        public var port: Int
        public var check: PortCheckKind

        public init(port: Int, check: PortCheckKind) {
            self.port = port
            self.check = check
        }
    }

    public var ports: [Port]
    /// Top-level keys the request carried that the probe does not use, sorted.
    public var ignoredFields: [String]

    public init(ports: [Port], ignoredFields: [String] = []) {
        self.ports = ports
        self.ignoredFields = ignoredFields
    }
}

extension ProbeRequest: Codable {
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        ports = try container.decode([Port].self, forKey: AnyKey(stringValue: "ports"))
        ignoredFields = container.allKeys.map(\.stringValue).filter { $0 != "ports" }.sorted()
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        try container.encode(ports, forKey: AnyKey(stringValue: "ports"))
    }
}
