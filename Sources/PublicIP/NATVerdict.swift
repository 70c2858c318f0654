import InternetAddress

/// Whether the outside world can reach this network, decided from the router's facts, the agreed
/// outside addresses and the first hops. Kinds (stable strings, read by scripts):
/// `public`, `cgnat`, `double-nat`, `upstream-nat`, `no-router-info`.
public struct NATVerdict: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case `public` = "public"
        case cgnat = "cgnat"
        case doubleNAT = "double-nat"
        case upstreamNAT = "upstream-nat"
        case noRouterInfo = "no-router-info"
    }

    public var kind: Kind
    public var summary: String
    /// Plain language: can inbound connections work?
    public var consequence: String
    public var advice: [String]
    /// The facts the verdict rests on, one per line.
    public var evidence: [String]

    public init(kind: Kind, summary: String, consequence: String, advice: [String], evidence: [String]) {
        self.kind = kind
        self.summary = summary
        self.consequence = consequence
        self.advice = advice
        self.evidence = evidence
    }

    /// What the hops say about the path beyond the home router.
    enum HopEvidence: Equatable {
        case cgnat(ttl: Int, address: IPAddress)
        case privateUpstream(ttl: Int, address: IPAddress)
        case publicUpstream(ttl: Int, address: IPAddress)
        case none
    }

    /// Hop 1 is normally the home router (private is expected there); from hop 2 on, the first
    /// CGNAT or private router before any public one shows another NAT.
    static func hopEvidence(_ hops: UpstreamHops) -> HopEvidence {
        guard hops.status == .measured else { return .none }
        for (ttl, address) in hops.routerAddresses {
            if address.isCGNAT { return .cgnat(ttl: ttl, address: address) }
            if address.isPublic { return .publicUpstream(ttl: ttl, address: address) }
            if ttl >= 2 && !address.isPublic { return .privateUpstream(ttl: ttl, address: address) }
        }
        return .none
    }

    public static func decide(router: RouterFacts, outsideIPv4: IPAddress?, outsideIPv6: IPAddress?, hops: UpstreamHops) -> NATVerdict {
        let hopFacts = hopEvidence(hops)
        let evidence = NATVerdictEvidence.lines(router: router, outsideIPv4: outsideIPv4, outsideIPv6: outsideIPv6, hops: hops,
                                                decisiveHop: hopFacts)
        let context = Context(router: router, outsideIPv4: outsideIPv4, outsideIPv6: outsideIPv6, evidence: evidence)
        if let wan = router.externalAddress.address {
            if wan.isCGNAT { return context.cgnat(because: "the router's WAN address \(wan) is in the carrier-grade NAT range 100.64.0.0/10") }
            if !wan.isPublic { return context.doubleNAT(because: "the router's WAN address \(wan) is \(wan.scope.rawValue), so another router sits between it and the internet") }
            // A public-looking address is not proof: a router may report an address it does not
            // hold. miniupnpd with `ext_perform_stun` reports what a STUN server saw, which behind
            // a carrier NAT is the carrier's outside address (miniupnpd 2.3.1, miniupnpd.c
            // `update_ext_ip_addr_from_stun`). The path and the router's refusals outrank it.
            switch hopFacts {
            case .cgnat(let ttl, let address):
                return context.cgnat(because: "hop \(ttl) beyond the router (\(address)) is in the carrier-grade NAT range 100.64.0.0/10, "
                    + "so \(wan), the address the router reports, is the carrier NAT's outside address, not the router's own", reportedWAN: wan)
            case .privateUpstream(let ttl, let address) where router.refusesForLackOfPublicAddress:
                return context.doubleNAT(because: "the router reports \(wan) but refuses mappings for lack of a public address, and hop \(ttl) (\(address)) "
                    + "beyond it is \(address.scope.rawValue): another router sits in front, and \(wan) is that router's outside address", routerHoldsReportedWAN: false)
            case .privateUpstream, .publicUpstream, .none:
                break
            }
            if router.refusesForLackOfPublicAddress { return context.upstreamNATRefusing(wan: wan) }
            if let outsideIPv4, outsideIPv4 != wan { return context.upstreamNAT(wan: wan, outside: outsideIPv4) }
            return context.publicAddress(wan, inferred: false)
        }
        switch hopFacts {
        case .cgnat(let ttl, let address):
            return context.cgnat(because: "hop \(ttl) (\(address)) is in the carrier-grade NAT range 100.64.0.0/10")
        case .privateUpstream(let ttl, let address):
            return context.doubleNAT(because: "hop \(ttl) (\(address)), beyond the home router, is a private address")
        case .publicUpstream, .none:
            break
        }
        if router.externalAddress == .empty || router.mappingRefused?.meansNoPublicAddress == true {
            return context.doubleNAT(because: "the router holds no public address (empty WAN address or mapping refused for lack of one); the hops did not show whether the NAT above it is the provider's (CGNAT) or another router")
        }
        if case .publicUpstream(let ttl, let address) = hopFacts, let outsideIPv4 {
            return context.publicAddress(outsideIPv4, inferred: true, hop: "hop \(ttl) (\(address))")
        }
        return context.noRouterInfo()
    }

    private struct Context {
        let router: RouterFacts
        let outsideIPv4: IPAddress?
        let outsideIPv6: IPAddress?
        let evidence: [String]

        var outsideText: String { outsideIPv4?.description ?? "the shared public address" }

        var ipv6Advice: [String] {
            guard let outsideIPv6, outsideIPv6.isPublic else {
                return ["Ask for IPv6 (no global IPv6 address was seen): with IPv6 your host gets its own reachable address."]
            }
            return ["Use IPv6: this host has the global address \(outsideIPv6). Clients with IPv6 can connect directly once the router's IPv6 firewall allows the ports."]
        }

        let vpsAdvice = "Run the relay on a rented server (VPS) with a public address and let clients meet there."

        /// `reportedWAN`: the public-looking address the router reported although it sits behind
        /// the carrier's NAT; its mappings there are worth nothing, which the advice says.
        func cgnat(because reason: String, reportedWAN: IPAddress? = nil) -> NATVerdict {
            var advice = ["Ask your provider for a public IPv4 address (often available on request or for a small fee; ask to leave CGNAT / DS-Lite)."]
            if let reportedWAN {
                let granted = router.mappingGranted.map { " It granted a test mapping over \($0.rawValue) that nobody outside can reach." } ?? ""
                advice.append("Do not count on ports your router maps: the address it reports, \(reportedWAN), belongs to the carrier's NAT "
                    + "(the router learned it over STUN or had it set by hand), and that NAT forwards nothing to you.\(granted)")
            }
            return NATVerdict(
                kind: .cgnat,
                summary: "Carrier-grade NAT: \(reason). The address \(outsideText) is shared with other customers of the provider.",
                consequence: "Inbound IPv4 connections cannot reach you. The provider's NAT forwards no ports, and port mapping on your own router cannot change that.",
                advice: advice + ipv6Advice + [vpsAdvice],
                evidence: evidence)
        }

        /// `routerHoldsReportedWAN`: false when the address the router reported is not its own,
        /// so it is not where the outer router must forward to.
        func doubleNAT(because reason: String, routerHoldsReportedWAN: Bool = true) -> NATVerdict {
            let wan = (routerHoldsReportedWAN ? router.externalAddress.address : nil).map { " (\($0))" } ?? ""
            return NATVerdict(
                kind: .doubleNAT,
                summary: "Double NAT: \(reason).",
                consequence: "Inbound IPv4 connections stop at the outer router unless it forwards them to your router's WAN address\(wan), which forwards them on to this host.",
                advice: ["Put the outer device (provider modem/router) into bridge or modem mode so your router gets the public address.",
                         "Or forward the ports on both routers: on the outer one to your router's WAN address\(wan) (or put your router in its DMZ), on yours to this host.",
                         "If the outer NAT turns out to be the provider's, ask for a public IPv4 address."]
                    + ipv6Advice + [vpsAdvice],
                evidence: evidence)
        }

        func upstreamNAT(wan: IPAddress, outside: IPAddress) -> NATVerdict {
            NATVerdict(
                kind: .upstreamNAT,
                summary: "Upstream NAT: the router holds the public address \(wan), but the internet sees \(outside).",
                consequence: "Ports forwarded on your router are reachable at \(wan) only if traffic to \(wan) actually arrives; connections to \(outside) go to another NAT (the provider's, a VPN or a proxy) and will not reach you.",
                advice: ["Check for a VPN or proxy on this host or the router; if there is none, ask the provider why traffic leaves from \(outside)."]
                    + ipv6Advice + [vpsAdvice],
                evidence: evidence)
        }

        /// The router reports a public address but refuses mappings for lack of one, and the
        /// hops did not show who sits in front of it.
        func upstreamNATRefusing(wan: IPAddress) -> NATVerdict {
            let refusal = router.mappingRefused.map { " over \($0.mappingProtocol.rawValue) (code \($0.code)\($0.detail.isEmpty ? "" : ", \($0.detail)"))" } ?? ""
            return NATVerdict(
                kind: .upstreamNAT,
                summary: "Upstream NAT: the router reports the public address \(wan) but refuses mappings for lack of a public address, "
                    + "so another NAT sits in front of it (the provider's carrier-grade NAT or another router) and \(wan) is that NAT's outside address, "
                    + "which the router learned from outside (over STUN, for example).",
                consequence: "Inbound IPv4 connections cannot reach you: the NAT in front of the router forwards nothing to it, and the router maps no ports.",
                advice: ["The router refused a mapping\(refusal): it holds no public address. Look up its own WAN address on its status page: "
                         + "100.64.x.x–100.127.x.x means the provider's carrier-grade NAT (ask for a public IPv4 address); "
                         + "10.x, 172.16–31.x or 192.168.x means another router in front (put that one into bridge mode, or forward the ports on it too)."]
                    + ipv6Advice + [vpsAdvice],
                evidence: evidence)
        }

        func publicAddress(_ address: IPAddress, inferred: Bool, hop: String = "") -> NATVerdict {
            var advice: [String] = []
            switch (router.mappingProtocol, router.mappingRefused) {
            case (.none, _):
                advice.append("Enable UPnP IGD or NAT-PMP/PCP on the router so homeport can open the ports itself, or forward the ports by hand to this host.")
            case (_, let refusal?):
                // The refusal names its own protocol: the protocol that reported the address
                // (mappingProtocol) is often another one, and PCP, NAT-PMP and UPnP codes overlap.
                advice.append("The router refused a mapping over \(refusal.mappingProtocol.rawValue) (code \(refusal.code)\(refusal.detail.isEmpty ? "" : ", \(refusal.detail)")): check its UPnP/NAT-PMP/PCP settings (allowed ports, secure mode) or forward the ports by hand.")
            case (let spoken, nil):
                advice.append("Nothing to change: homeport opens the ports through \(spoken.rawValue).")
            }
            let how = inferred ? "the router's upstream \(hop) is public, so the router very likely holds \(address) itself (it did not say)" : "the router holds the public address \(address)"
            return NATVerdict(
                kind: .public,
                summary: "Public address: \(how).",
                consequence: "Inbound connections can reach this network at \(address) once the router forwards the ports.",
                advice: advice,
                evidence: evidence)
        }

        func noRouterInfo() -> NATVerdict {
            let outside = outsideIPv4?.description ?? "the address echo services report (`homeport ip`)"
            return NATVerdict(
                kind: .noRouterInfo,
                summary: "Unknown: no router answered UPnP, NAT-PMP or PCP, and the first hops gave no evidence.",
                consequence: "It is not known whether inbound connections can work.",
                advice: ["Check by hand: open the router's status page and compare its WAN/Internet address with \(outside). Equal: you have a public address. 100.64.x.x–100.127.x.x: carrier-grade NAT. 10.x, 172.16–31.x or 192.168.x: double NAT.",
                         "Or run `traceroute -n 1.1.1.1` and look at hop 2 (the router's upstream): 100.64.0.0/10 means CGNAT, a private address means double NAT.",
                         "Enable UPnP IGD or NAT-PMP/PCP on the router so homeport can ask it directly."]
                    + (outsideIPv6.map { ["IPv6 works independently of this: this host's global IPv6 address is \($0)."] } ?? []),
                evidence: evidence)
        }
    }
}
