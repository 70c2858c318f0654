import DNSWire
import Testing

/// DNSLookup and DNSExchange against a real `named`.
@Suite(.enabled(if: NamedServer.available, Comment(rawValue: ToolRequirement.named.skipMessage)))
struct DNSLookupLiveTests {
    @Test func looksUpAddressesFollowsCNAMEsAndFindsTheZone() async throws {
        try await NamedServer.with { named in
            let dnsServer = try DNSServer("127.0.0.1", port: named.port)
            let server = DNSLookup.Server.server(dnsServer)
            #expect(try await DNSLookup.addresses(of: "old.home.test", family: .ipv4, server: server) == ["192.0.2.1"])
            #expect(try await DNSLookup.addresses(of: "OLD.home.test.", family: .ipv6, server: server) == ["2001:db8::1"])
            #expect(try await DNSLookup.addresses(of: "alias.home.test", family: .ipv4, server: server) == ["192.0.2.1"])
            #expect(try await DNSLookup.addresses(of: "missing.home.test", family: .ipv4, server: server) == [])
            #expect(try await DNSLookup.addresses(of: "ns.home.test", family: .ipv6, server: server) == [])
            // Not this server's zone: named refuses, and the look-up says so.
            await #expect(throws: DNSLookupError.self) {
                try await DNSLookup.addresses(of: "host.elsewhere.test", family: .ipv4, server: server)
            }
            // The zone's primary (SOA MNAME ns.home.test -> 127.0.0.1) found through named itself.
            #expect(try await DNSLookup.addresses(of: "old.home.test", family: .ipv4,
                                                  server: .authoritative(port: named.port, resolver: dnsServer)) == ["192.0.2.1"])
            let zone = try await DNSLookup().zone(of: try DNSName("a.b.host.home.test"), server: server)
            #expect(zone.zone == (try DNSName("home.test")))
            #expect(zone.soa.primaryServer == (try DNSName("ns.home.test")))
        }
    }

    @Test func aTruncatedUDPAnswerIsFetchedAgainOverTCP() async throws {
        try await NamedServer.with { named in
            let server = try DNSServer("127.0.0.1", port: named.port)
            let query = DNSMessage.query(name: try DNSName("big.home.test"), type: .txt, recursionDesired: false)
            let result = try await DNSExchange().send(query, to: server)
            #expect(result.transport == .tcp)
            #expect(!result.message.isTruncated)
            #expect(result.message.answers.count == 6)
            #expect(result.message.answers.compactMap(\.data.textStrings).flatMap { $0 }.allSatisfy { $0.count == 200 })

            let tcpOnly = try await DNSExchange(mode: .tcpOnly).send(.query(name: try DNSName("old.home.test"), type: .a), to: server)
            #expect(tcpOnly.transport == .tcp)
            #expect(tcpOnly.message.answers.first?.data.address?.description == "192.0.2.1")
        }
    }
}
