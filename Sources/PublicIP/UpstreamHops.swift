import InternetAddress

/// The first routers on the way out, as seen by `UpstreamHopProbe`: hop 1 is the home router,
/// hop 2 the router's upstream (in 100.64/10 for carrier-grade NAT, private for another home NAT).
public struct UpstreamHops: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case measured
        case unsupported
        case failed
        case skipped
    }

    public struct Hop: Sendable, Equatable, Codable {
        public var ttl: Int
        /// The router that answered (ICMP time exceeded), nil when nothing answered in time.
        public var address: IPAddress?
        /// The answer came from the target itself (port unreachable): the path ends here.
        public var reachedTarget: Bool

        public init(ttl: Int, address: IPAddress?, reachedTarget: Bool = false) {
            self.ttl = ttl
            self.address = address
            self.reachedTarget = reachedTarget
        }

        enum CodingKeys: String, CodingKey {
            case ttl, address
            case reachedTarget = "reached_target"
        }
    }

    public var status: Status
    public var target: IPAddress?
    public var hops: [Hop]
    public var detail: String?

    public init(status: Status, target: IPAddress? = nil, hops: [Hop] = [], detail: String? = nil) {
        self.status = status
        self.target = target
        self.hops = hops
        self.detail = detail
    }

    public static let skipped = UpstreamHops(status: .skipped)

    enum CodingKeys: String, CodingKey {
        case status, target, hops, detail
    }

    /// Absent values are written as null, so scripts see every key.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(target, forKey: .target)
        try container.encode(hops, forKey: .hops)
        try container.encode(detail, forKey: .detail)
    }

    /// Addresses of routers (not the target) in TTL order.
    public var routerAddresses: [(ttl: Int, address: IPAddress)] {
        hops.compactMap { hop in hop.reachedTarget ? nil : hop.address.map { (hop.ttl, $0) } }
    }
}
