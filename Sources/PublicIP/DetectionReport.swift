import Foundation
import InternetAddress

/// One source's answer in a report.
public struct SourceReport: Sendable, Equatable, Codable {
    public var name: String
    public var kind: SourceKind
    public var family: IPFamily
    public var address: IPAddress?
    public var latencyMs: Double
    public var error: String?

    public init(name: String, kind: SourceKind, family: IPFamily, answer: SourceAnswer) {
        self.name = name
        self.kind = kind
        self.family = family
        self.address = answer.address
        self.latencyMs = (answer.latency.milliseconds * 10).rounded() / 10
        self.error = answer.error?.description
    }

    enum CodingKeys: String, CodingKey {
        case name, kind, family, address
        case latencyMs = "latency_ms"
        case error
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(kind, forKey: .kind)
        try container.encode(family, forKey: .family)
        try container.encode(address, forKey: .address)
        try container.encode(latencyMs, forKey: .latencyMs)
        try container.encode(error, forKey: .error)
    }
}

/// Everything one detection found. JSON (snake_case keys): `time`, `sources[]`, `ipv4`/`ipv6`
/// (`status`, `address`, `agreeing_sources`, `votes`), `router`, `hops`, `verdict` (`kind`,
/// `summary`, `consequence`, `advice`, `evidence`), `echo_requests`.
public struct DetectionReport: Sendable, Equatable, Codable {
    public var time: Date
    public var sources: [SourceReport]
    public var ipv4: FamilyAgreement
    public var ipv6: FamilyAgreement
    public var router: RouterFacts?
    public var hops: UpstreamHops
    public var verdict: NATVerdict
    /// Requests this detection sent to internet echo services (HTTP and DNS).
    public var echoRequests: Int

    public init(time: Date, sources: [SourceReport], ipv4: FamilyAgreement, ipv6: FamilyAgreement, router: RouterFacts?,
                hops: UpstreamHops, verdict: NATVerdict, echoRequests: Int) {
        self.time = time
        self.sources = sources
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.router = router
        self.hops = hops
        self.verdict = verdict
        self.echoRequests = echoRequests
    }

    public func agreement(_ family: IPFamily) -> FamilyAgreement { family == .ipv4 ? ipv4 : ipv6 }

    /// RFC 3339 in UTC with milliseconds, as every JSON homeport prints (README "JSON output").
    static let timeStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    enum CodingKeys: String, CodingKey {
        case time, sources, ipv4, ipv6, router, hops, verdict
        case echoRequests = "echo_requests"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .time)
        guard let time = (try? Date(text, strategy: Self.timeStyle)) ?? (try? Date(text, strategy: .iso8601)) else {
            throw DecodingError.dataCorruptedError(forKey: .time, in: container, debugDescription: "'\(text)' is not an ISO 8601 time")
        }
        self.time = time
        sources = try container.decode([SourceReport].self, forKey: .sources)
        ipv4 = try container.decode(FamilyAgreement.self, forKey: .ipv4)
        ipv6 = try container.decode(FamilyAgreement.self, forKey: .ipv6)
        router = try container.decodeIfPresent(RouterFacts.self, forKey: .router)
        hops = try container.decode(UpstreamHops.self, forKey: .hops)
        verdict = try container.decode(NATVerdict.self, forKey: .verdict)
        echoRequests = try container.decode(Int.self, forKey: .echoRequests)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.timeStyle.format(time), forKey: .time)
        try container.encode(sources, forKey: .sources)
        try container.encode(ipv4, forKey: .ipv4)
        try container.encode(ipv6, forKey: .ipv6)
        try container.encode(router, forKey: .router)
        try container.encode(hops, forKey: .hops)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(echoRequests, forKey: .echoRequests)
    }
}
