import InternetAddress
@testable import PortMapping
import Testing

@Suite("PCP wire format (RFC 6887)")
struct PCPMessageTests {
    static let nonce: [UInt8] = Array(1...12)
    static let client = IPAddress(192, 168, 77, 2)
    static let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]

    @Test func mapRequestBytesFollowSection11() {
        let request = PCPMessage.mapRequest(nonce: Self.nonce, proto: .tcp, internalPort: 21116, suggestedExternalPort: 21116,
                                            suggestedExternalAddress: nil, lifetime: 7200, client: Self.client)
        let expected: [UInt8] = [0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x1C, 0x20]
            + Self.mappedPrefix + [192, 168, 77, 2]
            + Self.nonce
            + [0x06, 0x00, 0x00, 0x00, 0x52, 0x7C, 0x52, 0x7C]
            + Self.mappedPrefix + [0, 0, 0, 0]
        #expect(request == expected)
        #expect(request.count == 60)
        let udp = PCPMessage.mapRequest(nonce: Self.nonce, proto: .udp, internalPort: 5000, suggestedExternalPort: 0,
                                        suggestedExternalAddress: IPAddress(11, 22, 33, 44), lifetime: 0, client: Self.client)
        #expect(udp[36] == 17)
        #expect(Array(udp[4..<8]) == [0, 0, 0, 0])
        #expect(Array(udp[44..<60]) == Self.mappedPrefix + [11, 22, 33, 44])
    }

    @Test func announceRequestIsAHeaderWithLifetimeZero() {
        #expect(PCPMessage.announceRequest(client: Self.client) == [0x02, 0x00, 0x00, 0x00, 0, 0, 0, 0] + Self.mappedPrefix + [192, 168, 77, 2])
    }

    static func mapResponse(result: UInt8 = 0, opcode: UInt8 = 0x81, nonce: [UInt8] = nonce, external: [UInt8] = mappedPrefix + [11, 22, 33, 44]) -> [UInt8] {
        [0x02, opcode, 0x00, result, 0x00, 0x00, 0x1C, 0x20, 0x00, 0x00, 0x2B, 0x67] + [UInt8](repeating: 0, count: 12)
            + nonce + [0x06, 0, 0, 0, 0x52, 0x7C, 0x52, 0x7D] + external
    }

    @Test func decodesMapResponse() throws {
        let response = try PCPMessage.decodeMapResponse(Self.mapResponse(), expectedNonce: Self.nonce)
        #expect(response.header == PCPMessage.ResponseHeader(opcode: 1, resultCode: 0, lifetime: 7200, epoch: 11111))
        #expect(response.proto == 6)
        #expect(response.internalPort == 21116)
        #expect(response.externalPort == 21117)
        #expect(response.externalAddress == IPAddress(11, 22, 33, 44))
        // Options after the MAP payload are skipped.
        let withOption = Self.mapResponse() + [0x03, 0x00, 0x00, 0x00]
        #expect(try PCPMessage.decodeMapResponse(withOption, expectedNonce: Self.nonce).externalPort == 21117)
    }

    @Test func resultCodesBecomeRefusals() {
        // miniupnpd with a reserved WAN address answers MAP with NO_RESOURCES.
        #expect(throws: PortMappingError.pcpResult(code: 8)) {
            try PCPMessage.decodeMapResponse(Self.mapResponse(result: 8), expectedNonce: Self.nonce)
        }
        // An error may come back with just the header.
        #expect(throws: PortMappingError.pcpResult(code: 2)) {
            try PCPMessage.decodeMapResponse(Array(Self.mapResponse(result: 2).prefix(24)), expectedNonce: Self.nonce)
        }
        #expect(PortMappingError.pcpResult(code: 8).description.contains("NO_RESOURCES"))
    }

    @Test func aNATPMPOnlyServerMeansUnsupportedVersion() {
        // A NAT-PMP server answers a version-2 packet with version 0, result 1 (RFC 6887 section 9).
        let natpmpAnswer: [UInt8] = [0x00, 0x81, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05]
        #expect(throws: PortMappingError.pcpResult(code: 1)) { try PCPMessage.decodeMapResponse(natpmpAnswer, expectedNonce: Self.nonce) }
        #expect(throws: PortMappingError.pcpResult(code: 1)) { try PCPMessage.decodeAnnounceResponse(natpmpAnswer) }
    }

    @Test func rejectsHostileOrBrokenAnswers() {
        let good = Self.mapResponse()
        #expect(malformedReason { try PCPMessage.decodeMapResponse(Array(good.prefix(20)), expectedNonce: nil) }?.contains("shorter than the 24-byte header") == true)
        #expect(malformedReason { try PCPMessage.decodeMapResponse(Array(good.prefix(59)), expectedNonce: nil) }?.contains("multiple of 4") == true)
        #expect(malformedReason { try PCPMessage.decodeMapResponse(Array(good.prefix(56)), expectedNonce: nil) }?.contains("at least 60") == true)
        #expect(malformedReason { try PCPMessage.decodeMapResponse(good + [UInt8](repeating: 0, count: 1100), expectedNonce: nil) }?.contains("1100") == true)
        var wrongVersion = good
        wrongVersion[0] = 3
        #expect(malformedReason { try PCPMessage.decodeMapResponse(wrongVersion, expectedNonce: nil) }?.contains("version 3") == true)
        #expect(malformedReason { try PCPMessage.decodeMapResponse(Self.mapResponse(opcode: 0x01), expectedNonce: nil) }?.contains("R bit") == true)
        #expect(malformedReason { try PCPMessage.decodeMapResponse(Self.mapResponse(opcode: 0x82), expectedNonce: nil) }?.contains("expected MAP") == true)
        #expect(malformedReason { try PCPMessage.decodeMapResponse(Self.mapResponse(nonce: Array(repeating: 9, count: 12)), expectedNonce: Self.nonce) }?.contains("nonce") == true)
        #expect(malformedReason { try PCPMessage.decodeMapResponse(Self.mapResponse(external: Array(repeating: 7, count: 16)), expectedNonce: nil) }?.contains("IPv4-mapped") == true)
        #expect(malformedReason { try PCPMessage.decodeAnnounceResponse(good) }?.contains("expected ANNOUNCE") == true)
    }

    @Test func announcementsDecodeForBothProtocols() throws {
        let natpmp = try RouterAnnouncement.decode([0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 11, 22, 33, 45])
        #expect(natpmp.kind == .natpmp)
        #expect(natpmp.epoch == 6)
        #expect(natpmp.externalAddress == IPAddress(11, 22, 33, 45))
        let pcp = try RouterAnnouncement.decode([0x02, 0x80, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 12))
        #expect(pcp.kind == .pcp)
        #expect(pcp.epoch == 0)
        #expect(malformedReason { try RouterAnnouncement.decode([0x07, 0x80]) }?.contains("version 7") == true)
        #expect(malformedReason { try RouterAnnouncement.decode([]) }?.contains("empty") == true)
        #expect(malformedReason { try RouterAnnouncement.decode([0x00, 0x80, 0x00, 0x00, 0, 0]) } != nil)
    }

    @Test func ipv4AddressesParseStrictly() {
        #expect(IPAddress("192.168.1.1") == IPAddress(192, 168, 1, 1))
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "a.b.c.d", "router.local", " 1.2.3.4", "1..2.3"] {
            #expect(IPAddress(bad, family: .ipv4) == nil, "\(bad)")
        }
        #expect(IPAddress(100, 64, 1, 2).isReservedForNonPublicUse)
        #expect(IPAddress(10, 0, 0, 1).isReservedForNonPublicUse)
        #expect(IPAddress(203, 0, 113, 7).isReservedForNonPublicUse)
        #expect(!IPAddress(11, 22, 33, 44).isReservedForNonPublicUse)
        #expect(IPAddress(bytes: Self.mappedPrefix + [1, 2, 3, 4])?.embeddedIPv4 == IPAddress(1, 2, 3, 4))
        #expect(IPAddress(bytes: [UInt8](repeating: 0, count: 16))?.embeddedIPv4 == nil)
    }
}
