/// Whether the NAT in front of this host maps one local UDP port to the same public address and
/// port whatever the destination, which is what hole punching needs: a peer can only reach the
/// mapping another server saw if the NAT reuses it for that peer. RustDesk's own NAT test asks
/// the same question over TCP (docs/rustdesk-protocol.md#nat-test).
public enum NATMappingVerdict: Sendable, Equatable {
    /// The servers saw this host's own address and port: nothing translates.
    case noNAT(TransportEndpoint)
    /// Every server saw the same public address and port (RFC 4787 section 4.1,
    /// endpoint-independent mapping).
    case endpointIndependent(TransportEndpoint)
    /// The servers saw different addresses or ports, in the order of the servers that answered:
    /// a symmetric NAT (address- or address-and-port-dependent mapping, RFC 4787 section 4.1).
    case variesByDestination([TransportEndpoint])
    /// Fewer than two servers answered; why.
    case unknown(String)

    /// A name for JSON and logs.
    public var kind: String {
        switch self {
        case .noNAT: "no-nat"
        case .endpointIndependent: "endpoint-independent"
        case .variesByDestination: "varies-by-destination"
        case .unknown: "unknown"
        }
    }

    /// One sentence: what was seen and what it means for RustDesk's direct connections.
    public var summary: String {
        switch self {
        case .noNAT(let endpoint):
            return "No NAT: the STUN servers saw this host's own address and port (\(endpoint)), so RustDesk peers can connect directly as far as the firewall lets them."
        case .endpointIndependent(let endpoint):
            return "The NAT keeps one mapping for every destination (all STUN servers saw \(endpoint)): RustDesk's direct connections (UDP hole punching) can work through it."
        case .variesByDestination(let endpoints):
            let seen = endpoints.map(\.description).joined(separator: ", ")
            return "Mapping varies by destination: the NAT gave one local UDP port a different public address or port for each STUN server (\(seen)), a symmetric NAT, so RustDesk's direct connections will fall back to the relay."
        case .unknown(let reason):
            return "Cannot tell whether the NAT's mapping varies by destination: \(reason)."
        }
    }

    /// The verdict for the answers of the servers that answered, in server order; `asked` is
    /// how many servers were asked.
    static func from(_ mappings: [STUNMapping], asked: Int) -> NATMappingVerdict {
        guard mappings.count >= 2 else {
            let answered = mappings.count == 1 ? "only one" : "none"
            return .unknown("\(answered) of the \(asked) STUN servers answered, and it takes two to compare")
        }
        var distinct: [TransportEndpoint] = []
        for mapping in mappings where !distinct.contains(mapping.mapped) {
            distinct.append(mapping.mapped)
        }
        guard distinct.count == 1 else { return .variesByDestination(distinct) }
        let mapped = distinct[0]
        if mappings.allSatisfy({ $0.local == mapped }) { return .noNAT(mapped) }
        return .endpointIndependent(mapped)
    }
}
