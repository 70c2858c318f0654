import InternetAddress

/// The answer to `POST /v1/check` (HTTP 200). JSON, snake_case keys:
///
///     {"address": "203.0.113.7",
///      "results": [{"port": 21115, "check": "nat_test", "protocol": "tcp", "result": "open",
///                   "latency_ms": 12.4, "detail": "TestNatResponse (our port 40312)"}],
///      "ignored_fields": ["address"]}
///
/// `address` is the one address tested: where the request came from. `latency_ms` is absent
/// when nothing answered. `ignored_fields` is absent when the request had no unknown keys.
public struct ProbeAnswer: Codable, Sendable, Equatable {
    public struct PortResult: Codable, Sendable, Equatable {
        public var port: Int
        public var check: PortCheckKind
        public var transport: PortTransport
        public var result: PortOutcome
        /// Milliseconds until the decisive event (connect, answer, refusal); nil for silence.
        public var latencyMilliseconds: Double?
        /// One sentence on what was seen, for people.
        public var detail: String

        public init(port: Int, check: PortCheckKind, result: PortOutcome, latencyMilliseconds: Double?, detail: String) {
            self.port = port
            self.check = check
            self.transport = check.transport
            self.result = result
            self.latencyMilliseconds = latencyMilliseconds
            self.detail = detail
        }

        enum CodingKeys: String, CodingKey {
            case port, check, result, detail
            case transport = "protocol"
            case latencyMilliseconds = "latency_ms"
        }
    }

    public var address: IPAddress
    public var results: [PortResult]
    public var ignoredFields: [String]?

    public init(address: IPAddress, results: [PortResult], ignoredFields: [String]?) {
        self.address = address
        self.results = results
        self.ignoredFields = ignoredFields
    }

    enum CodingKeys: String, CodingKey {
        case address, results
        case ignoredFields = "ignored_fields"
    }
}

/// The body of every refusal (4xx, 5xx): `{"error": "one sentence saying what to change"}`.
public struct ProbeErrorBody: Codable, Sendable, Equatable {
    public var error: String

    public init(error: String) {
        self.error = error
    }
}
