import InternetAddress

/// The router's reported WAN address as a source (IPv4; routers do not NAT IPv6). Only a public
/// WAN address counts as an outside view; empty and reserved ones are reported with the reason.
public struct RouterSource: PublicIPSource {
    public let provider: any RouterFactsProvider
    public let timeout: Duration
    public var name: String { "router" }
    public var kind: SourceKind { .router }
    public var request: String { Self.request }
    /// What the detector asks the router (the same words for the answer it passes on).
    static let request = "the router's WAN address (PCP, NAT-PMP, UPnP IGD)"
    public var family: IPFamily { .ipv4 }

    public init(provider: any RouterFactsProvider, timeout: Duration = .seconds(1)) {
        self.provider = provider
        self.timeout = timeout
    }

    public func lookup() async -> SourceAnswer {
        let start = ContinuousClock.now
        let provider = self.provider
        let facts = await withTimeout(timeout) { await provider.routerFacts() }
        return Self.answer(from: facts, latency: ContinuousClock.now - start)
    }

    static func answer(from facts: RouterFacts?, latency: Duration) -> SourceAnswer {
        guard let facts else { return .failure(.timeout, latency: latency) }
        switch facts.externalAddress {
        case .unknown:
            return .failure(.noAddress(facts.mappingProtocol == .none ? "no mapping protocol answered" : "router did not report its WAN address"), latency: latency)
        case .empty:
            return .failure(.noAddress("router reports an empty WAN address (it holds a reserved address)"), latency: latency)
        case .invalid(let text):
            return .failure(.unparsable(text), latency: latency)
        case .address(let address):
            return .validated(address, family: .ipv4, latency: latency)
        }
    }
}
