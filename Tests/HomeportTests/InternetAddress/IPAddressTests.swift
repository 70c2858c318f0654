import Foundation
import InternetAddress
import Testing

@Suite("InternetAddress: one address type")
struct IPAddressTests {
    @Test("text parses to the family and the canonical form (RFC 5952 for IPv6)", arguments: [
        ("203.0.113.7", IPFamily.ipv4, "203.0.113.7"),
        ("0.0.0.0", .ipv4, "0.0.0.0"),
        ("255.255.255.255", .ipv4, "255.255.255.255"),
        ("2001:DB8::1", .ipv6, "2001:db8::1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", .ipv6, "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", .ipv6, "2001:db8::1:0:0:1"),
        ("2001:db8:0:1:1:1:1:1", .ipv6, "2001:db8:0:1:1:1:1:1"),
        ("::1", .ipv6, "::1"),
        ("::", .ipv6, "::"),
        ("fe80:0:0:0:0:0:0:1", .ipv6, "fe80::1"),
        ("::ffff:1.2.3.4", .ipv6, "::ffff:1.2.3.4"),
        ("::FFFF:0102:0304", .ipv6, "::ffff:1.2.3.4"),
    ])
    func parses(text: String, family: IPFamily, canonical: String) throws {
        let address = try IPAddress(parsing: text)
        #expect(address.family == family)
        #expect(address.bytes.count == family.byteCount)
        #expect(address.description == canonical)
        #expect(try IPAddress(parsing: canonical) == address)
        #expect(IPAddress(text, family: family) == address)
    }

    @Test("anything else is rejected with the text and what would be valid", arguments: [
        "", " 1.2.3.4", "1.2.3.4 ", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4x", "1.2.3.4/24", "1.2.3.4:80",
        "[::1]", "fe80::1%eth0", "hello", "2001:db8::g", "2001:db8:::1", "1:2:3:4:5:6:7:8:9", "<html>", String(repeating: "1", count: 100),
    ])
    func rejects(text: String) {
        #expect(IPAddress(text) == nil)
        #expect(throws: IPAddressSyntaxError(text: text, expected: nil)) { try IPAddress(parsing: text) }
    }

    @Test("a family is required where one is expected, and the error says which")
    func wrongFamily() throws {
        #expect(IPAddress("2001:db8::1", family: .ipv4) == nil)
        #expect(IPAddress("192.0.2.1", family: .ipv6) == nil)
        // An IPv4-mapped address is IPv6 text: it never passes as IPv4.
        #expect(IPAddress("::ffff:192.0.2.1", family: .ipv4) == nil)
        let error = #expect(throws: IPAddressSyntaxError.self) { try IPAddress(parsing: "192.0.2.1", family: .ipv6) }
        #expect(error?.description == "'192.0.2.1' is not an IPv6 address (write it like 2001:db8::7)")
        let long = #expect(throws: IPAddressSyntaxError.self) { try IPAddress(parsing: String(repeating: "x", count: 500)) }
        #expect(long?.text.count == 60)
        #expect(long?.description.contains("not an IPv4 or IPv6 address") == true)
    }

    @Test("scopes", arguments: [
        ("203.0.113.9", AddressScope.public), ("198.51.100.1", .public), ("192.0.2.1", .public), ("8.8.8.8", .public),
        ("100.64.0.1", .cgnat), ("100.127.255.254", .cgnat), ("100.63.255.255", .public), ("100.128.0.0", .public),
        ("10.1.2.3", .privateNetwork), ("172.16.0.1", .privateNetwork), ("172.31.255.255", .privateNetwork), ("172.32.0.1", .public),
        ("192.168.178.1", .privateNetwork), ("127.0.0.1", .loopback), ("127.255.0.1", .loopback), ("169.254.1.1", .linkLocal),
        ("224.0.0.251", .multicast), ("0.0.0.0", .unspecified), ("0.1.2.3", .reserved), ("192.0.0.8", .reserved),
        ("240.0.0.1", .reserved), ("255.255.255.255", .reserved), ("198.18.0.1", .reserved), ("198.20.0.1", .public),
        ("2001:db8::1", .public), ("2a00:1450::1", .public), ("fd00::1", .uniqueLocal), ("fc12::1", .uniqueLocal),
        ("fe80::1", .linkLocal), ("febf::1", .linkLocal), ("fec0::1", .reserved), ("::1", .loopback), ("::2", .reserved),
        ("::", .unspecified), ("ff02::1", .multicast), ("::ffff:203.0.113.1", .reserved), ("::ffff:100.64.0.1", .reserved),
        ("4000::1", .reserved),
    ])
    func scope(text: String, expected: AddressScope) throws {
        let address = try IPAddress(parsing: text)
        #expect(address.scope == expected)
        #expect(address.isPublic == (expected == .public))
        #expect(address.isCGNAT == (expected == .cgnat))
        #expect(address.isPrivate == (expected == .privateNetwork || expected == .uniqueLocal))
        #expect(address.isLoopback == (expected == .loopback))
        #expect(address.isLinkLocal == (expected == .linkLocal))
        #expect(address.isMulticast == (expected == .multicast))
        #expect(address.isUnspecified == (expected == .unspecified))
    }

    @Test("documentation ranges are known as such although they count as public (the lab's internet)", arguments: [
        ("192.0.2.1", true), ("198.51.100.200", true), ("203.0.113.255", true), ("2001:db8:ffff::1", true),
        ("203.0.114.1", false), ("2001:db9::1", false), ("192.0.3.1", false),
    ])
    func documentation(text: String, expected: Bool) throws {
        #expect(try IPAddress(parsing: text).isDocumentation == expected)
    }

    @Test("IPv4-mapped IPv6 addresses convert both ways and are never mistaken for IPv4")
    func ipv4Mapped() throws {
        let v4 = IPAddress(203, 0, 113, 7)
        let mapped = v4.ipv4Mapped
        #expect(mapped.family == .ipv6)
        #expect(mapped.bytes == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 203, 0, 113, 7])
        #expect(mapped == (try IPAddress(parsing: "::ffff:203.0.113.7")))
        #expect(mapped.isIPv4Mapped && !v4.isIPv4Mapped)
        #expect(mapped.embeddedIPv4 == v4)
        #expect(mapped != v4)
        #expect(try IPAddress(parsing: "2001:db8::1").embeddedIPv4 == nil)
        #expect(try IPAddress(parsing: "::203.0.113.7").embeddedIPv4 == nil)
        #expect(try IPAddress(parsing: "2001:db8::1").ipv4Mapped == (try IPAddress(parsing: "2001:db8::1")))
    }

    @Test("prefixes: membership and the network part", arguments: [
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 64, "2001:db8:1:2::"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 56, "2001:db8:1::"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 0, "::"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 128, "2001:db8:1:2:aaaa:bbbb:cccc:dddd"),
        ("100.127.1.2", 10, "100.64.0.0"),
        ("192.168.178.20", 24, "192.168.178.0"),
    ])
    func prefixes(text: String, length: Int, network: String) throws {
        let address = try IPAddress(parsing: text)
        let expected = try IPAddress(parsing: network)
        #expect(address.masked(toPrefixLength: length) == expected)
        #expect(address.isInside(expected, length: length))
    }

    @Test("prefix membership needs the same family and a length the family has")
    func prefixEdges() throws {
        let v4 = IPAddress(10, 1, 2, 3)
        #expect(v4.isInside(IPAddress(10, 0, 0, 0), length: 8))
        #expect(!v4.isInside(IPAddress(10, 0, 0, 0), length: 16))
        #expect(!v4.isInside(IPAddress(10, 0, 0, 0), length: 33))
        #expect(!v4.isInside(IPAddress(10, 0, 0, 0), length: -1))
        #expect(!v4.ipv4Mapped.isInside(IPAddress(10, 0, 0, 0), length: 8))
    }

    @Test("bytes, host-order integers and ordering")
    func bytesAndOrder() throws {
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
        #expect(IPAddress(bytes: [1, 2, 3, 4]) == IPAddress(1, 2, 3, 4))
        #expect(IPAddress(bytes: [UInt8](repeating: 0, count: 16))?.family == .ipv6)
        #expect(IPAddress(ipv4HostOrder: 0xC000_0201) == IPAddress(192, 0, 2, 1))
        #expect(IPAddress(192, 0, 2, 1).ipv4HostOrder == 0xC000_0201)
        #expect(try IPAddress(parsing: "::1").ipv4HostOrder == nil)
        let sorted = [try IPAddress(parsing: "2001:db8::1"), IPAddress(10, 0, 0, 2), IPAddress(9, 0, 0, 1)].sorted()
        #expect(sorted.map(\.description) == ["9.0.0.1", "10.0.0.2", "2001:db8::1"])
        #expect(IPFamily.allCases.sorted() == [.ipv4, .ipv6])
        #expect(IPFamily.ipv6.description == "IPv6" && IPFamily.ipv6.rawValue == "ipv6")
    }

    @Test("JSON holds the canonical text, and bad text fails to decode with the reason")
    func codable() throws {
        let encoded = try JSONEncoder().encode([try IPAddress(parsing: "2001:DB8:0::7")])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["2001:db8::7"]"#)
        #expect(try JSONDecoder().decode([IPAddress].self, from: encoded) == [try IPAddress(parsing: "2001:db8::7")])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([IPAddress].self, from: Data(#"["1.2.3"]"#.utf8)) }
    }
}
