import NIOCore
import Testing
@testable import RustDeskWire

@Suite struct RustDeskWirePeerAddressTests {
    @Test(arguments: [
        ("1.2.3.4", 21116, "1.2.3.4:21116"),
        ("::ffff:1.2.3.4", 21116, "1.2.3.4:21116"),
        ("::1.2.3.4", 80, "1.2.3.4:80"),
        ("::", 0, "0.0.0.0:0"),
        ("::1", 21116, "[::1]:21116"),
        ("2001:db8::1", 21116, "[2001:db8::1]:21116"),
        ("2001:0db8:0000:0000:0001:0000:0000:0001", 1, "[2001:db8::1:0:0:1]:1"),
        ("2001:db8:0:1:1:1:1:1", 2, "[2001:db8:0:1:1:1:1:1]:2"),
        ("fe80::", 3, "[fe80::]:3"),
        ("1:0:0:2:0:0:0:3", 4, "[1:0:0:2::3]:4"),
    ])
    func fromNIOAddressNormalizesAndPrints(ip: String, port: Int, text: String) throws {
        let address = try #require(PeerAddress(try SocketAddress(ipAddress: ip, port: port)))
        #expect(address.description == text)
        // Converting back gives a NIO address of the normalized form.
        let back = address.socketAddress
        #expect(back.port == port)
        #expect(PeerAddress(back) == address)
        #expect(back.ipAddress == address.ipText)
    }

    @Test func loopbackAndSameIP() throws {
        #expect(PeerAddress.ipv4(127, 0, 0, 1, port: 1).isLoopback)
        #expect(PeerAddress.ipv4(127, 255, 3, 9, port: 1).isLoopback)
        #expect(!PeerAddress.ipv4(128, 0, 0, 1, port: 1).isLoopback)
        #expect(PeerAddress.v6(1, port: 1).isLoopback)
        #expect(!PeerAddress.v6(2 << 120, port: 1).isLoopback)
        #expect(PeerAddress.v6(0xFFFF_7F00_0001, port: 1).isLoopback)

        let mapped = PeerAddress.v6(0xFFFF_0102_0304, port: 9)
        #expect(mapped.sameIP(as: .ipv4(1, 2, 3, 4, port: 10)))
        #expect(!mapped.sameIP(as: .ipv4(1, 2, 3, 5, port: 9)))
        #expect(!PeerAddress.v6(1, port: 1).sameIP(as: .ipv4(0, 0, 0, 1, port: 1)))
        #expect(mapped.ipText == "::ffff:1.2.3.4")
        #expect(mapped.normalized == .ipv4(1, 2, 3, 4, port: 9))
    }

    @Test func unixSocketsHaveNoPeerAddress() throws {
        #expect(PeerAddress(try SocketAddress(unixDomainSocketPath: "/tmp/x.sock")) == nil)
    }
}
