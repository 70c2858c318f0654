import Foundation
import Testing
@testable import PublicIP

/// home (192.168.7.2) -> router (192.168.7.1 | upstream .2) -> isp (upstream .1 | 198.51.100.1)
/// -> internet (198.51.100.2, target 203.0.113.10 on lo). The probe runs inside "home".
@Suite("PublicIP upstream hop probe", .serialized)
struct PublicIPHopProbeTests {
    static func buildLab(_ lab: NamespaceLab, upstream: String) async throws -> String {
        let home = try await lab.add("home"), router = try await lab.add("rtr"), isp = try await lab.add("isp"), net = try await lab.add("net")
        try await lab.run("ip", "link", "add", "h0", "netns", home, "type", "veth", "peer", "name", "r0", "netns", router)
        try await lab.run("ip", "link", "add", "r1", "netns", router, "type", "veth", "peer", "name", "i0", "netns", isp)
        try await lab.run("ip", "link", "add", "i1", "netns", isp, "type", "veth", "peer", "name", "n0", "netns", net)
        try await lab.ip(home, """
            addr add 192.168.7.2/24 dev h0
            link set h0 up
            route add default via 192.168.7.1
            """)
        try await lab.ip(router, """
            addr add 192.168.7.1/24 dev r0
            link set r0 up
            addr add \(upstream).2/24 dev r1
            link set r1 up
            route add default via \(upstream).1
            """)
        try await lab.ip(isp, """
            addr add \(upstream).1/24 dev i0
            link set i0 up
            addr add 198.51.100.1/24 dev i1
            link set i1 up
            route add 192.168.7.0/24 via \(upstream).2
            route add default via 198.51.100.2
            """)
        try await lab.ip(net, """
            addr add 198.51.100.2/24 dev n0
            link set n0 up
            addr add 203.0.113.10/32 dev lo
            route add default via 198.51.100.1
            """)
        try await lab.sysctl(router, "net.ipv4.ip_forward=1")
        try await lab.sysctl(isp, "net.ipv4.ip_forward=1")
        return home
    }

    @Test("hops through a namespace chain decide CGNAT vs double NAT", arguments: [
        ("100.64.7", NATVerdict.Kind.cgnat),
        ("10.20.7", NATVerdict.Kind.doubleNAT),
    ])
    func chain(upstream: String, expected: NATVerdict.Kind) async throws {
        guard NamespaceLab.isRoot else {
            print("skipped: the hop probe test creates network namespaces and needs root")
            return
        }
        let lab = NamespaceLab()
        do {
            let home = try await Self.buildLab(lab, upstream: upstream)
            let hops = try await NamespaceLab.inNamespace(home) {
                UpstreamHopProbe.probeBlocking(toward: ip("203.0.113.10"), maxHops: 4, timeout: .seconds(2))
            }
            #expect(hops.status == .measured, "\(hops.detail ?? "")")
            #expect(hops.hops.map(\.address) == [ip("192.168.7.1"), ip("\(upstream).1"), ip("203.0.113.10")])
            #expect(hops.hops.map(\.reachedTarget) == [false, false, true])
            let verdict = NATVerdict.decide(router: RouterFacts(mappingProtocol: .upnp, externalAddress: .empty),
                                            outsideIPv4: ip("203.0.113.10"), outsideIPv6: nil, hops: hops)
            #expect(verdict.kind == expected, "\(verdict.summary)")
        } catch {
            await lab.remove()
            throw error
        }
        await lab.remove()
    }

    @Test("no route: the probe fails cleanly")
    func noRoute() async throws {
        guard NamespaceLab.isRoot else {
            print("skipped: needs root for a network namespace")
            return
        }
        let lab = NamespaceLab()
        let lonely = try await lab.add("lone")
        let hops = try await NamespaceLab.inNamespace(lonely) {
            UpstreamHopProbe.probeBlocking(toward: ip("203.0.113.10"), maxHops: 3, timeout: .milliseconds(300))
        }
        await lab.remove()
        #expect(hops.status == .failed)
        #expect(hops.detail?.contains("unreachable") == true, "\(hops.detail ?? "")")
    }

    @Test("IPv6 targets are reported unsupported, not probed")
    func ipv6Target() async {
        let hops = await UpstreamHopProbe().probe(toward: ip("2001:db8::1"), maxHops: 3, timeout: .milliseconds(100))
        #expect(hops.status == .unsupported)
    }
}
