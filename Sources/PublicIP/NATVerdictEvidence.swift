import InternetAddress
/// The facts a verdict rests on, one line each, worded for people and stable enough for scripts
/// to search: what the router reports and how that compares with the outside view, what its test
/// mapping got, what the internet sees, and which hop beyond the router tells who sits in front.
enum NATVerdictEvidence {
    static func lines(router: RouterFacts, outsideIPv4: IPAddress?, outsideIPv6: IPAddress?, hops: UpstreamHops,
                      decisiveHop: NATVerdict.HopEvidence) -> [String] {
        var lines = [routerAddress(router, outsideIPv4: outsideIPv4)]
        if let granted = router.mappingGranted {
            lines.append("the router granted a test mapping over \(granted.rawValue)")
        }
        if let refusal = router.mappingRefused {
            lines.append("the router refused a test mapping over \(refusal.mappingProtocol.rawValue): "
                + (refusal.detail.isEmpty ? "code \(refusal.code)" : "\(refusal.detail) (code \(refusal.code))"))
        }
        lines.append(outsideIPv4.map { "the internet sees IPv4 \($0)" } ?? "no agreed outside IPv4 address")
        if let outsideIPv6 { lines.append("the internet sees IPv6 \(outsideIPv6)") }
        switch hops.status {
        case .measured:
            let listed = hops.hops.map { "\($0.ttl): \($0.address?.description ?? "*")\($0.reachedTarget ? " (target)" : "")" }.joined(separator: ", ")
            lines.append("first hops: \(listed.isEmpty ? "none answered" : listed)")
        case .unsupported, .failed:
            lines.append("hop probe \(hops.status.rawValue)\(hops.detail.map { ": \($0)" } ?? "")")
        case .skipped:
            break
        }
        if let hop = hop(decisiveHop) { lines.append(hop) }
        return lines
    }

    static func routerAddress(_ router: RouterFacts, outsideIPv4: IPAddress?) -> String {
        let name = router.mappingProtocol == .none ? nil : router.mappingProtocol.rawValue
        switch router.externalAddress {
        case .unknown:
            return name.map { "the router (\($0)) did not report its WAN address" } ?? "no router answered UPnP, NAT-PMP or PCP"
        case .empty:
            return "the router (\(name ?? "?")) reports an empty WAN address, as routers holding a reserved address do"
        case .invalid(let text):
            return "the router reports a WAN address that is not an address: '\(text)'"
        case .address(let wan):
            let comparison = outsideIPv4.map { $0 == wan ? ", the address the internet sees" : ", but the internet sees \($0)" } ?? ""
            return "the router (\(name ?? "?")) reports WAN address \(wan) (\(wan.scope.rawValue))\(comparison)"
        }
    }

    /// The hop the verdict looked at, with what its address range means.
    static func hop(_ evidence: NATVerdict.HopEvidence) -> String? {
        switch evidence {
        case .cgnat(let ttl, let address): "hop \(ttl) is \(address) (carrier-grade NAT range 100.64.0.0/10, RFC 6598)"
        case .privateUpstream(let ttl, let address): "hop \(ttl) is \(address) (\(address.scope.rawValue), beyond the home router)"
        case .publicUpstream(let ttl, let address): "hop \(ttl) is \(address) (public)"
        case .none: nil
        }
    }
}
