import DNSWire
import Testing

@Suite struct SystemResolverConfigTests {
    @Test func readsNameserversAndOptions() throws {
        let config = SystemResolverConfig.parse("""
        # generated
        search home.test
        nameserver 127.0.0.53
        nameserver fe80::1%eth0 ; link-local
        nameserver not-an-address
        nameserver 192.0.2.2
        nameserver 192.0.2.3
        options edns0 timeout:1 attempts:4
        """)
        #expect(config.nameservers.map(\.description) == ["127.0.0.53:53", "[fe80::1]:53", "192.0.2.2:53"])
        #expect(config.timeout == .seconds(1))
        #expect(config.attempts == 4)
    }

    @Test func aMissingFileGivesNoServers() {
        #expect(SystemResolverConfig.load(path: "/nonexistent/resolv.conf").nameservers.isEmpty)
    }

    @Test func lookupReportsAnEmptyResolvConf() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.write("resolv.conf", "search example\n")
        await #expect(throws: DNSLookupError.noNameservers(path: path)) {
            try await DNSLookup.addresses(of: "home.test", family: .ipv4, resolvConfPath: path)
        }
    }
}
