import InternetAddress

/// Whether the router can be asked at all, from one probe round: every enabled protocol asked
/// at once (PCP ANNOUNCE, NAT-PMP external address, UPnP SSDP search), as Tailscale's
/// net/portmapper does before it maps anything, so a router that answers none of them costs
/// one probe timeout for all ports instead of three request timeouts per port.
public enum RouterPresence: Sendable, Hashable {
    /// At least one protocol answered, possibly with a refusal (a router behind carrier-grade
    /// NAT answers and says no; that is evidence, not silence) or with PCP UNSUPP_VERSION (a
    /// NAT-PMP router, RFC 6887 section 9).
    case answers
    /// No protocol answered, or no gateway is known; `reason` says which, for people.
    case silent(reason: String)

    /// From one probe round's report; `pcpVersionRefused`: the router answered PCP with
    /// UNSUPP_VERSION, which the report shows as PCP unavailable.
    static func from(_ report: RouterReport, pcpVersionRefused: Bool, protocols: Set<MappingProtocol>, probeTimeout: Duration) -> RouterPresence {
        if pcpVersionRefused || report.results.contains(where: \.available) { return .answers }
        if let error = report.error { return .silent(reason: error) }
        let asked = [MappingProtocol.pcp, .natpmp, .upnp].filter(protocols.contains).map(\.displayName)
        if asked.isEmpty { return .silent(reason: "no mapping protocol is enabled") }
        let list = asked.count > 1 ? asked.dropLast().joined(separator: ", ") + " or " + (asked.last ?? "") : asked.joined()
        let gateway = report.gateway.map { " at \($0)" } ?? ""
        let seconds = Double(probeTimeout.components.seconds) + Double(probeTimeout.components.attoseconds) / 1e18
        let how = asked.count > 1 ? "asked in parallel, \(seconds.formatted1) s each" : "waited \(seconds.formatted1) s"
        return .silent(reason: "no router answered \(list)\(gateway) (\(how))")
    }
}

extension MappingProtocol {
    /// The protocol's usual spelling in sentences.
    var displayName: String {
        switch self {
        case .pcp: "PCP"
        case .natpmp: "NAT-PMP"
        case .upnp: "UPnP"
        }
    }
}

extension Double {
    fileprivate var formatted1: String {
        let tenths = (self * 10).rounded()
        return "\(Int(tenths) / 10).\(Int(tenths) % 10)"
    }
}
