import Testing
@testable import RustDeskWire

@Suite struct RustDeskWireAddrMangleTests {
    static let example = PeerAddress.ipv4(1, 2, 3, 4, port: 21116)

    /// docs/rustdesk-protocol.md#address-encoding-examples: 1.2.3.4:21116 at four time values.
    static let rows: [(time: UInt32, hex: String)] = [
        (0x0000_0000, "7c 52 00 00 00 00 02 04 06 08"),
        (0x0000_0001, "7d 52 02 00 00 00 04 04 06 08"),
        (0x1234_5678, "f4 a8 f0 ac 68 24 f2 b0 6e 2c"),
        (0xFFFF_FFFF, "7b 52 ff ff ff ff 01 04 06 08 02"),
    ]

    @Test(arguments: rows)
    func ipv4EncodesToTheSpecBytesAndBack(row: (time: UInt32, hex: String)) {
        let encoded = AddrMangle.encode(Self.example, time: row.time)
        #expect(wireHexString(encoded) == wireHexString(wireHex(row.hex)))
        #expect(AddrMangle.decode(wireHex(row.hex)) == Self.example)
    }

    @Test func privateAddressRow() {
        let address = PeerAddress.ipv4(192, 168, 16, 32, port: 21116)
        let expected = wireHex("f4 a8 f0 ac 68 24 70 fe 89 64")
        #expect(AddrMangle.encode(address, time: 0x1234_5678) == expected)
        #expect(AddrMangle.decode(expected) == address)
    }

    @Test func ipv6IsSentPlainly() throws {
        let address = try #require(PeerAddress.ipv6(bytes: wireHex("20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01"), port: 21116))
        let expected = wireHex("20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 7c 52")
        #expect(AddrMangle.encode(address, time: 0x1234_5678) == expected)
        #expect(AddrMangle.decode(expected) == address)
        #expect(address.description == "[2001:db8::1]:21116")
    }

    @Test func mappedIPv4IsMangledAsIPv4ButLoopbackStaysIPv6() throws {
        let mapped = try #require(PeerAddress.ipv6(bytes: wireHex("00000000 00000000 0000ffff 01020304"), port: 21116))
        let encoded = AddrMangle.encode(mapped)
        #expect(encoded.count <= 11)
        #expect(AddrMangle.decode(encoded) == Self.example)
        let compatible = try #require(PeerAddress.ipv6(bytes: wireHex("00000000 00000000 00000000 01020304"), port: 21116))
        #expect(AddrMangle.decode(AddrMangle.encode(compatible)) == Self.example)
        let loopback = PeerAddress.v6(1, port: 21116)
        let loopbackBytes = AddrMangle.encode(loopback)
        #expect(loopbackBytes.count == 18)
        #expect(AddrMangle.decode(loopbackBytes) == loopback)
    }

    @Test func realTimeEncodingDecodesBack() {
        #expect(AddrMangle.decode(AddrMangle.encode(Self.example)) == Self.example)
    }

    @Test func invalidLengthsDecodeToTheUnspecifiedAddress() {
        #expect(AddrMangle.decode([UInt8](repeating: 0xAA, count: 17)) == .v6(0, port: 0))
        #expect(AddrMangle.decode([UInt8](repeating: 0xAA, count: 19)) == .v6(0, port: 0))
        #expect(AddrMangle.decode([UInt8]()) == .v4(0, port: 0))
        #expect(AddrMangle.decode([UInt8]()).description == "0.0.0.0:0")
        #expect(AddrMangle.decode([UInt8](repeating: 0, count: 17)).description == "[::]:0")
    }

    /// decode(encode(x)) == normalize(x) for random addresses and times (docs/rustdesk-protocol.md#conformance-checklist item 6).
    @Test func roundTripOverRandomAddressesAndTimes() {
        var random = WireTestRandom(seed: 0x5EED_0001)
        for iteration in 0..<1000 {
            let port = UInt16.random(in: 0...UInt16.max, using: &random)
            let time = UInt32.random(in: 0...UInt32.max, using: &random)
            let address: PeerAddress
            switch iteration % 3 {
            case 0: address = .v4(UInt32.random(in: 0...UInt32.max, using: &random), port: port)
            case 1: address = .v6(UInt128(random.next()) << 64 | UInt128(random.next()), port: port)
            default: address = .v6(0xFFFF << 32 | UInt128(UInt32.random(in: 0...UInt32.max, using: &random)), port: port)
            }
            let decoded = AddrMangle.decode(AddrMangle.encode(address, time: time))
            #expect(decoded == address.normalized, "\(address) at tm \(time)")
        }
    }

    /// docs/rustdesk-protocol.md#address-decoding: arbitrary network bytes never trap (wrapping arithmetic).
    @Test func randomShortInputsNeverTrap() {
        var random = WireTestRandom(seed: 0x5EED_0002)
        var ports = Set<UInt16>()
        for _ in 0..<10_000 {
            let bytes = random.bytes(Int.random(in: 0...16, using: &random))
            let decoded = AddrMangle.decode(bytes)
            guard case .v4(_, let port) = decoded else {
                Issue.record("\(wireHexString(bytes)) decoded to IPv6 \(decoded)")
                continue
            }
            ports.insert(port)
        }
        // Garbage gives varied results, not a constant: the decoder really ran.
        #expect(ports.count > 1000)
    }
}
