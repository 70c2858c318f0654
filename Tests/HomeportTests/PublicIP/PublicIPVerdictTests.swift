import Foundation
import Testing
@testable import PublicIP

@Suite("PublicIP NAT verdict")
struct PublicIPVerdictTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var router: RouterFacts
        var outside: String?
        var outside6: String? = nil
        var hops: [String?] = []
        var kind: NATVerdict.Kind
        var adviceMentions: [String] = []
        var testDescription: String { label }
    }

    static func measured(_ hops: [String?]) -> UpstreamHops {
        if hops.isEmpty { return .skipped }
        return UpstreamHops(status: .measured, target: ip("1.1.1.1"),
                            hops: hops.enumerated().map { UpstreamHops.Hop(ttl: $0.offset + 1, address: $0.element.map(ip)) })
    }

    static let upnp501 = RouterFacts.MappingRefusal(mappingProtocol: .upnp, code: 501, detail: "Action Failed")
    static let pcpNoResources = RouterFacts.MappingRefusal(mappingProtocol: .pcp, code: 8)

    static let cases: [Case] = [
        Case(label: "router holds the outside address", router: RouterFacts(gateway: ip("192.168.1.1"), mappingProtocol: .upnp, externalAddress: .address(ip("203.0.113.5"))),
             outside: "203.0.113.5", kind: .public, adviceMentions: ["Nothing to change"]),
        Case(label: "router public, no echo answer", router: RouterFacts(mappingProtocol: .natpmp, externalAddress: .address(ip("198.51.100.5"))),
             outside: nil, kind: .public),
        Case(label: "router public but mapping refused by policy", router: RouterFacts(mappingProtocol: .upnp, externalAddress: .address(ip("203.0.113.5")),
             mappingRefused: RouterFacts.MappingRefusal(mappingProtocol: .upnp, code: 718)), outside: "203.0.113.5", kind: .public, adviceMentions: ["refused"]),
        Case(label: "router WAN in 100.64/10", router: RouterFacts(mappingProtocol: .natpmp, externalAddress: .address(ip("100.64.12.7"))),
             outside: "203.0.113.9", kind: .cgnat, adviceMentions: ["public IPv4", "VPS"]),
        Case(label: "router WAN private", router: RouterFacts(mappingProtocol: .upnp, externalAddress: .address(ip("192.168.0.20"))),
             outside: "203.0.113.9", kind: .doubleNAT, adviceMentions: ["bridge"]),
        Case(label: "router WAN public but differs from the outside view", router: RouterFacts(mappingProtocol: .upnp, externalAddress: .address(ip("198.51.100.7"))),
             outside: "203.0.113.9", kind: .upstreamNAT),
        Case(label: "empty external, refused, hop 2 in CGNAT", router: RouterFacts(mappingProtocol: .upnp, externalAddress: .empty, mappingRefused: upnp501),
             outside: "203.0.113.9", hops: ["192.168.1.1", "100.64.0.1", "203.0.113.1"], kind: .cgnat),
        Case(label: "empty external, refused, hop 2 private", router: RouterFacts(mappingProtocol: .pcp, externalAddress: .empty, mappingRefused: pcpNoResources),
             outside: "203.0.113.9", hops: ["192.168.1.1", "10.0.0.1"], kind: .doubleNAT),
        Case(label: "empty external, no hop evidence", router: RouterFacts(mappingProtocol: .upnp, externalAddress: .empty, mappingRefused: upnp501),
             outside: "203.0.113.9", hops: ["192.168.1.1", nil, nil], kind: .doubleNAT),
        Case(label: "NAT-PMP refusal alone (code 3)", router: RouterFacts(mappingProtocol: .natpmp, externalAddress: .unknown,
             mappingRefused: RouterFacts.MappingRefusal(mappingProtocol: .natpmp, code: 3)), outside: "203.0.113.9", kind: .doubleNAT),
        Case(label: "no router, hop 2 in CGNAT", router: .silent, outside: "203.0.113.9", hops: ["192.168.1.1", "100.100.0.1"], kind: .cgnat),
        Case(label: "no router, directly behind CGNAT", router: .silent, outside: "203.0.113.9", hops: ["100.64.0.1"], kind: .cgnat),
        Case(label: "no router, hop 2 private", router: .silent, outside: "203.0.113.9", hops: ["192.168.1.1", "172.16.0.1"], kind: .doubleNAT),
        Case(label: "no router, hop 2 public", router: .silent, outside: "203.0.113.9", hops: ["192.168.1.1", "198.51.100.1"], kind: .public,
             adviceMentions: ["forward the ports by hand"]),
        Case(label: "no router, no hops", router: .silent, outside: "203.0.113.9", kind: .noRouterInfo,
             adviceMentions: ["status page", "traceroute"]),
        Case(label: "no router, hops unanswered", router: .silent, outside: nil, hops: ["192.168.1.1", nil, nil], kind: .noRouterInfo),
        // Routers that report a public-looking address they do not hold (miniupnpd's STUN option).
        Case(label: "router public, CGNAT hop beyond it, mappings refused (STUN router behind a filtering carrier NAT)",
             router: RouterFacts(mappingProtocol: .pcp, externalAddress: .address(ip("203.0.113.9")), mappingRefused: pcpNoResources),
             outside: "203.0.113.9", hops: ["192.168.1.1", "100.72.0.1", "203.0.113.129"], kind: .cgnat, adviceMentions: ["Do not count on ports"]),
        Case(label: "router public, CGNAT hop beyond it, mappings granted (naive STUN router)",
             router: RouterFacts(mappingProtocol: .pcp, externalAddress: .address(ip("203.0.113.9")), mappingGranted: .pcp),
             outside: "203.0.113.9", hops: ["192.168.1.1", "100.72.0.1"], kind: .cgnat, adviceMentions: ["Do not count on ports", "nobody outside can reach"]),
        Case(label: "router public, refuses for lack of an address, hops not measured",
             router: RouterFacts(mappingProtocol: .natpmp, externalAddress: .address(ip("203.0.113.9")), mappingRefused: pcpNoResources),
             outside: "203.0.113.9", kind: .upstreamNAT, adviceMentions: ["pcp (code 8", "status page"]),
        Case(label: "router public, refuses for lack of an address, hop 2 public",
             router: RouterFacts(mappingProtocol: .upnp, externalAddress: .address(ip("203.0.113.9")), mappingRefused: upnp501),
             outside: "203.0.113.9", hops: ["192.168.1.1", "198.51.100.1"], kind: .upstreamNAT),
        Case(label: "router public, refuses for lack of an address, hop 2 private",
             router: RouterFacts(mappingProtocol: .pcp, externalAddress: .address(ip("203.0.113.9")), mappingRefused: pcpNoResources),
             outside: "203.0.113.9", hops: ["192.168.1.1", "10.0.0.1"], kind: .doubleNAT, adviceMentions: ["bridge"]),
        Case(label: "router public, one protocol refuses with 501 but another grants",
             router: RouterFacts(mappingProtocol: .pcp, externalAddress: .address(ip("203.0.113.9")), mappingRefused: upnp501, mappingGranted: .pcp),
             outside: "203.0.113.9", hops: ["192.168.1.1", "198.51.100.1"], kind: .public),
        Case(label: "router public, grants, hop 2 private (a provider's privately numbered router)",
             router: RouterFacts(mappingProtocol: .pcp, externalAddress: .address(ip("203.0.113.9")), mappingGranted: .pcp),
             outside: "203.0.113.9", hops: ["192.168.1.1", "10.0.0.1", "198.51.100.1"], kind: .public),
        Case(label: "router public, grants, CGNAT-range hop only after a public one",
             router: RouterFacts(mappingProtocol: .pcp, externalAddress: .address(ip("203.0.113.9")), mappingGranted: .pcp),
             outside: "203.0.113.9", hops: ["192.168.1.1", "198.51.100.1", "100.64.3.3"], kind: .public, adviceMentions: ["Nothing to change"]),
        Case(label: "CGNAT with global IPv6", router: RouterFacts(mappingProtocol: .upnp, externalAddress: .address(ip("100.64.1.1"))),
             outside: "203.0.113.9", outside6: "2001:db8::9", kind: .cgnat, adviceMentions: ["Use IPv6", "2001:db8::9"]),
    ]

    @Test("verdicts", arguments: cases)
    func verdict(_ test: Case) {
        let verdict = NATVerdict.decide(router: test.router, outsideIPv4: test.outside.map(ip), outsideIPv6: test.outside6.map(ip),
                                        hops: Self.measured(test.hops))
        #expect(verdict.kind == test.kind, "\(verdict.summary)")
        #expect(!verdict.summary.isEmpty && !verdict.consequence.isEmpty && !verdict.advice.isEmpty)
        let advice = verdict.advice.joined(separator: " ")
        for word in test.adviceMentions {
            #expect(advice.contains(word), "advice lacks '\(word)': \(advice)")
        }
    }

    /// The lines the verdict lists for the three router configurations behind a carrier NAT.
    @Test("evidence: STUN router refusing, naive STUN router granting, strict router")
    func evidenceLines() {
        let hops = Self.measured(["192.168.1.1", "100.72.0.1", "203.0.113.129"])
        let refusing = NATVerdict.decide(router: RouterFacts(mappingProtocol: .pcp, externalAddress: .address(ip("203.0.113.9")),
                                                             mappingRefused: RouterFacts.MappingRefusal(mappingProtocol: .pcp, code: 8, detail: "NO_RESOURCES")),
                                         outsideIPv4: ip("203.0.113.9"), outsideIPv6: nil, hops: hops)
        #expect(refusing.evidence == [
            "the router (pcp) reports WAN address 203.0.113.9 (public), the address the internet sees",
            "the router refused a test mapping over pcp: NO_RESOURCES (code 8)",
            "the internet sees IPv4 203.0.113.9",
            "first hops: 1: 192.168.1.1, 2: 100.72.0.1, 3: 203.0.113.129",
            "hop 2 is 100.72.0.1 (carrier-grade NAT range 100.64.0.0/10, RFC 6598)",
        ])
        #expect(refusing.summary.contains("203.0.113.9, the address the router reports, is the carrier NAT's outside address"), "\(refusing.summary)")

        let granting = NATVerdict.decide(router: RouterFacts(mappingProtocol: .pcp, externalAddress: .address(ip("203.0.113.9")), mappingGranted: .pcp),
                                         outsideIPv4: ip("203.0.113.9"), outsideIPv6: nil, hops: hops)
        #expect(granting.evidence.contains("the router granted a test mapping over pcp"))
        #expect(granting.evidence.contains("hop 2 is 100.72.0.1 (carrier-grade NAT range 100.64.0.0/10, RFC 6598)"))

        let strict = NATVerdict.decide(router: RouterFacts(mappingProtocol: .pcp, externalAddress: .empty,
                                                           mappingRefused: RouterFacts.MappingRefusal(mappingProtocol: .pcp, code: 8, detail: "NO_RESOURCES")),
                                       outsideIPv4: ip("203.0.113.9"), outsideIPv6: nil, hops: hops)
        #expect(strict.kind == .cgnat)
        #expect(strict.evidence.first == "the router (pcp) reports an empty WAN address, as routers holding a reserved address do")
        #expect(strict.evidence.contains("the router refused a test mapping over pcp: NO_RESOURCES (code 8)"))
        #expect(strict.evidence.last == "hop 2 is 100.72.0.1 (carrier-grade NAT range 100.64.0.0/10, RFC 6598)")

        let elsewhere = NATVerdict.decide(router: RouterFacts(mappingProtocol: .upnp, externalAddress: .address(ip("198.51.100.7"))),
                                          outsideIPv4: ip("203.0.113.9"), outsideIPv6: nil, hops: .skipped)
        #expect(elsewhere.evidence.first == "the router (upnp) reports WAN address 198.51.100.7 (public), but the internet sees 203.0.113.9")
    }

    @Test("a granted test mapping survives the JSON round trip")
    func grantedJSON() throws {
        let facts = RouterFacts(mappingProtocol: .pcp, externalAddress: .address(ip("203.0.113.9")), mappingGranted: .pcp)
        let json = String(decoding: try JSONEncoder().encode(facts), as: UTF8.self)
        #expect(json.contains("\"mapping_granted\":\"pcp\""), "\(json)")
        #expect(try JSONDecoder().decode(RouterFacts.self, from: Data(json.utf8)) == facts)
        #expect(String(decoding: try JSONEncoder().encode(RouterFacts.silent), as: UTF8.self).contains("\"mapping_granted\":null"))
    }

    @Test("kind strings are the documented ones")
    func kinds() {
        #expect(NATVerdict.Kind.allCases.map(\.rawValue) == ["public", "cgnat", "double-nat", "upstream-nat", "no-router-info"])
    }

    @Test("router external address text: nil, empty, address, garbage")
    func externalAddress() throws {
        #expect(RouterFacts.ExternalAddress(reported: nil) == .unknown)
        #expect(RouterFacts.ExternalAddress(reported: " ") == .empty)
        #expect(RouterFacts.ExternalAddress(reported: "203.0.113.1") == .address(ip("203.0.113.1")))
        #expect(RouterFacts.ExternalAddress(reported: "(null)") == .invalid("(null)"))
        let facts = RouterFacts(gateway: ip("192.168.1.1"), mappingProtocol: .upnp, externalAddress: .empty, mappingRefused: Self.upnp501)
        let json = String(decoding: try JSONEncoder().encode(facts), as: UTF8.self)
        #expect(json.contains("\"external_address\":\"\""))
        #expect(try JSONDecoder().decode(RouterFacts.self, from: Data(json.utf8)) == facts)
        let silent = String(decoding: try JSONEncoder().encode(RouterFacts.silent), as: UTF8.self)
        #expect(silent.contains("\"external_address\":null"))
    }

    @Test("router source: only a public WAN address is an outside view")
    func routerSource() async {
        let empty = await RouterSource(provider: RouterFactsClosure { RouterFacts(mappingProtocol: .upnp, externalAddress: .empty) }).lookup()
        #expect(empty.usableAddress == nil)
        let cgnat = await RouterSource(provider: RouterFactsClosure { RouterFacts(mappingProtocol: .upnp, externalAddress: .address(ip("100.64.0.2"))) }).lookup()
        #expect(cgnat.error == .notPublic(ip("100.64.0.2"), .cgnat))
        let good = await RouterSource(provider: RouterFactsClosure { RouterFacts(mappingProtocol: .pcp, externalAddress: .address(ip("203.0.113.3"))) }).lookup()
        #expect(good.usableAddress == ip("203.0.113.3"))
        let hung = await RouterSource(provider: RouterFactsClosure {
            try? await Task.sleep(for: .seconds(30))
            return .silent
        }, timeout: .milliseconds(100)).lookup()
        #expect(hung.error == .timeout)
        // A provider that ignores cancellation still cannot hold the caller past the timeout.
        let stubborn = await RouterSource(provider: RouterFactsClosure {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().asyncAfter(deadline: .now() + 5) { continuation.resume() }
            }
            return .silent
        }, timeout: .milliseconds(100)).lookup()
        #expect(stubborn.error == .timeout)
        #expect(stubborn.latency < .seconds(4))
    }
}
