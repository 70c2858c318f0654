import InternetAddress

/// What `homeport portmap add` tells a person after the router answered: a warning when the
/// mapping it made cannot be reached from outside, and the advice when it made none.
public enum MappingAdvice {
    /// A mapping on a router whose external address is itself behind another NAT opens nothing
    /// to the internet: the carrier's NAT (RFC 6598 shared space, 100.64.0.0/10) or the other
    /// router (RFC 1918 space) in front forwards no ports. Routers that accept mappings there
    /// exist (miniupnpd fooled by its STUN option, older firmware), so the address is checked
    /// here rather than trusting the router's success. Nil when the address may be public.
    public static func unreachableWarning(externalAddress: IPAddress?) -> String? {
        guard let address = externalAddress else { return nil }
        if address.isCGNAT {
            return "the mapped address \(address) is a carrier-grade NAT address (100.64.0.0/10): the provider's NAT sits in front of the router "
                + "and nobody outside can reach this mapping. `homeport ip` shows the verdict; ask the provider for a public IPv4 address, or use IPv6 or a relay."
        }
        if address.isPrivate {
            return "the mapped address \(address) is a private address: another router sits in front of this one and nobody outside can reach "
                + "this mapping unless that router forwards the port too. `homeport ip` shows the verdict."
        }
        return nil
    }

    /// The advice after map() failed. `refused` is true when the router answered with a refusal
    /// code on at least one protocol: then it does speak a mapping protocol, and the usual cause
    /// is a router without a public address of its own.
    public static func failure(_ error: any Error) -> (refused: Bool, advice: String) {
        let refused = (error as? PortMappingError)?.refusedByRouter == true
        let advice = refused
            ? "Routers refuse mappings when they have no public address themselves (carrier-grade NAT or a second router in front); `homeport ip` tells which."
            : "The router answered none of UPnP IGD, NAT-PMP or PCP, or has them turned off; turn one on, or forward the port by hand."
        return (refused, advice)
    }
}
