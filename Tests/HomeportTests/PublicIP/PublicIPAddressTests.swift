import Foundation
import InternetAddress
import Testing
@testable import PublicIP

@Suite("PublicIP addresses")
struct PublicIPAddressTests {
    @Test("a wrong-family or non-public answer is reported with the address")
    func validation() {
        let v6 = SourceAnswer.validated(ip("2001:db8::5"), family: .ipv4, latency: .zero)
        #expect(v6.address == ip("2001:db8::5"))
        #expect(v6.error == .wrongFamily(ip("2001:db8::5")))
        #expect(v6.usableAddress == nil)
        let cgnat = SourceAnswer.validated(ip("100.64.1.1"), family: .ipv4, latency: .zero)
        #expect(cgnat.error == .notPublic(ip("100.64.1.1"), .cgnat))
        #expect(cgnat.error?.description == "100.64.1.1 is not a public address (cgnat)")
        #expect(SourceAnswer.validated(ip("203.0.113.1"), family: .ipv4, latency: .zero).usableAddress == ip("203.0.113.1"))
    }

    @Test("interface source keeps stable global addresses only")
    func interfaceFiltering() async {
        let addresses = [
            InterfaceAddress(interface: "eth0", address: ip("192.168.1.10")),
            InterfaceAddress(interface: "eth0", address: ip("fe80::1")),
            InterfaceAddress(interface: "eth0", address: ip("fd00::10")),
            InterfaceAddress(interface: "eth0", address: ip("2001:db8::aaaa"), isTemporary: true),
            InterfaceAddress(interface: "eth0", address: ip("2001:db8::dead"), isDeprecated: true),
            InterfaceAddress(interface: "eth0", address: ip("2001:db8::bbbb"), isTentative: true),
            InterfaceAddress(interface: "eth0", address: ip("2001:db8::10")),
            InterfaceAddress(interface: "lo", address: ip("127.0.0.1")),
            InterfaceAddress(interface: "wan", address: ip("100.64.9.9")),
        ]
        let v6 = await InterfaceAddressSource(family: .ipv6) { addresses }.lookup()
        #expect(v6.usableAddress == ip("2001:db8::10"))
        let v4 = await InterfaceAddressSource(family: .ipv4) { addresses }.lookup()
        #expect(v4.usableAddress == nil)
        #expect(v4.error != nil)
        let direct = await InterfaceAddressSource(family: .ipv4) { addresses + [InterfaceAddress(interface: "ppp0", address: ip("198.51.100.3"))] }.lookup()
        #expect(direct.usableAddress == ip("198.51.100.3"))
    }

    @Test("/proc/net/if_inet6 flags mark temporary, deprecated and tentative addresses")
    func ifInet6() {
        let table = """
            20010db8000000000000000000000010 02 40 00 80     eth0
            20010db80000000000000000aaaaaaaa 02 40 00 01     eth0
            20010db80000000000000000dddddddd 02 40 00 20     eth0
            20010db80000000000000000eeeeeeee 02 40 00 40     eth0
            fe800000000000000000000000000001 02 40 20 80     eth0
            00000000000000000000000000000001 01 80 10 80       lo
            garbage line
            """
        let parsed = InterfaceAddressSource.parseIfInet6(table)
        #expect(parsed.count == 6)
        #expect(parsed[0] == InterfaceAddress(interface: "eth0", address: ip("2001:db8::10")))
        #expect(parsed[1].isTemporary && !parsed[1].isDeprecated)
        #expect(parsed[2].isDeprecated)
        #expect(parsed[3].isTentative)
        #expect(InterfaceAddressSource.candidates(parsed, family: .ipv6).map(\.address) == [ip("2001:db8::10")])
    }

    @Test("the system's interfaces can be read")
    func systemInterfaces() {
        // Every machine has loopback; reading must find it (and must not crash on odd entries).
        let all = InterfaceAddressSource.systemAddresses()
        #expect(all.contains { $0.address.isLoopback })
    }
}
