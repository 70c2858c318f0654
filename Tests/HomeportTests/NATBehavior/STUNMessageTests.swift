import InternetAddress
import NIOCore
import Testing
@testable import NATBehavior

/// The STUN codec against the sample responses of RFC 5769, a real answer of Debian's stund,
/// and broken input, which must be refused with a reason and never trap.
@Suite struct STUNMessageTests {
    static let vectorID = STUNTransactionID(bytes: [0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae])!

    /// RFC 5769 section 2.2, "Sample IPv4 Response": SOFTWARE "test vector", XOR-MAPPED-ADDRESS
    /// 192.0.2.1 port 32853, MESSAGE-INTEGRITY, FINGERPRINT.
    static let rfc5769IPv4Response: [UInt8] = [
        0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
        0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
        0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
        0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7,
        0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
    ]

    /// RFC 5769 section 2.3, "Sample IPv6 Response": XOR-MAPPED-ADDRESS
    /// 2001:db8:1234:5678:11:2233:4455:6677 port 32853.
    static let rfc5769IPv6Response: [UInt8] = [
        0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
        0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
        0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47,
        0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9,
        0x00, 0x08, 0x00, 0x14, 0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1, 0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75, 0xbf, 0xe3, 0xed, 0x41,
        0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
    ]

    /// What Debian's stund 0.97 answered a Binding request from 127.0.0.1:58665 (captured on
    /// this project's CI image): MAPPED-ADDRESS, RFC 3489's SOURCE-ADDRESS and CHANGED-ADDRESS,
    /// XOR-MAPPED-ADDRESS, and a NUL-terminated SERVER-NAME/SOFTWARE.
    static let stundResponse: [UInt8] = hex("""
        010100442112a442d23cd3ba002773aa9f1f2c93000100080001e5297f0000010004000800010d96cb007114\
        0005000800010d97cb007115002000080001c43b5e12a44380220010566f766964612e6f726720302e393700
        """)

    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.filter(\.isHexDigit))
        return stride(from: 0, to: digits.count - 1, by: 2).compactMap { UInt8(String(digits[$0...$0 + 1]), radix: 16) }
    }

    static func decode(_ bytes: [UInt8]) throws(STUNDecodeError) -> STUNResponse {
        try STUNMessage.decodeResponse(ByteBuffer(bytes: bytes))
    }

    /// A response with `attributes` (type, value), padded, and a FINGERPRINT when asked.
    static func response(type: UInt16 = 0x0101, id: STUNTransactionID = vectorID, cookie: UInt32 = STUNMessage.magicCookie,
                         _ attributes: [(UInt16, [UInt8])], fingerprint: Bool = false) -> [UInt8] {
        var body: [UInt8] = []
        for (attributeType, value) in attributes {
            body += [UInt8(attributeType >> 8), UInt8(attributeType & 0xff), UInt8(value.count >> 8), UInt8(value.count & 0xff)] + value
            body += [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
        }
        func header(_ length: Int) -> [UInt8] {
            [UInt8(type >> 8), UInt8(type & 0xff), UInt8(length >> 8), UInt8(length & 0xff)]
                + [UInt8(cookie >> 24), UInt8((cookie >> 16) & 0xff), UInt8((cookie >> 8) & 0xff), UInt8(cookie & 0xff)] + id.bytes
        }
        guard fingerprint else { return header(body.count) + body }
        let covered = header(body.count + 8) + body
        let crc = STUNFingerprint.value(of: covered)
        return covered + [0x80, 0x28, 0x00, 0x04, UInt8(crc >> 24), UInt8((crc >> 16) & 0xff), UInt8((crc >> 8) & 0xff), UInt8(crc & 0xff)]
    }

    static let mappedIPv4: (UInt16, [UInt8]) = (0x0001, [0x00, 0x01, 0x1f, 0x90, 198, 51, 100, 7])

    // MARK: Test vectors

    @Test func rfc5769SampleIPv4Response() throws {
        let response = try Self.decode(Self.rfc5769IPv4Response)
        #expect(response.transactionID == Self.vectorID)
        #expect(response.outcome == .mapped(TransportEndpoint(address: "192.0.2.1", port: 32853), attribute: .xorMappedAddress))
        #expect(response.software == "test vector")  // 11 bytes; the twelfth is padding
    }

    @Test func rfc5769SampleIPv6Response() throws {
        let response = try Self.decode(Self.rfc5769IPv6Response)
        #expect(response.outcome == .mapped(TransportEndpoint(address: "2001:db8:1234:5678:11:2233:4455:6677", port: 32853), attribute: .xorMappedAddress))
        #expect(TransportEndpoint(address: "2001:db8:1234:5678:11:2233:4455:6677", port: 32853).description == "[2001:db8:1234:5678:11:2233:4455:6677]:32853")
    }

    @Test func fingerprintOfTheVectorsIsChecked() {
        var broken = Self.rfc5769IPv4Response
        broken[24] ^= 0x01  // a letter of SOFTWARE
        #expect(throws: STUNDecodeError.fingerprintMismatch) { try Self.decode(broken) }
        var brokenFingerprint = Self.rfc5769IPv6Response
        brokenFingerprint[brokenFingerprint.count - 1] ^= 0x80
        #expect(throws: STUNDecodeError.fingerprintMismatch) { try Self.decode(brokenFingerprint) }
    }

    @Test func debianStundAnswerGivesTheXORMappedAddressAndItsName() throws {
        let response = try Self.decode(Self.stundResponse)
        #expect(response.outcome == .mapped(TransportEndpoint(address: "127.0.0.1", port: 58665), attribute: .xorMappedAddress))
        #expect(response.software == "Vovida.org 0.97")
    }

    /// An RFC 3489 server sends only MAPPED-ADDRESS (plus its SOURCE- and CHANGED-ADDRESS).
    @Test func rfc3489AnswerFallsBackToMappedAddress() throws {
        let response = try Self.decode(Self.response([
            Self.mappedIPv4,
            (0x0004, [0x00, 0x01, 0x0d, 0x96, 203, 0, 113, 20]),
            (0x0005, [0x00, 0x01, 0x0d, 0x97, 203, 0, 113, 21]),
        ]))
        #expect(response.outcome == .mapped(TransportEndpoint(address: "198.51.100.7", port: 8080), attribute: .mappedAddress))
    }

    @Test func xorMappedAddressWinsOverMappedAddress() throws {
        let xor: (UInt16, [UInt8]) = (0x0020, [0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43])
        let response = try Self.decode(Self.response([Self.mappedIPv4, xor], fingerprint: true))
        #expect(response.outcome == .mapped(TransportEndpoint(address: "192.0.2.1", port: 32853), attribute: .xorMappedAddress))
    }

    @Test func errorResponseCarriesItsCode() throws {
        let response = try Self.decode(Self.response(type: 0x0111, [(0x0009, [0, 0, 4, 20] + Array("Unknown Attribute".utf8))]))
        #expect(response.outcome == .error(code: 420, reason: "Unknown Attribute"))
    }

    @Test func bindingRequestIsTheBareHeader() {
        let id = STUNTransactionID.random()
        let request = Array(STUNMessage.bindingRequest(id).readableBytesView)
        #expect(request == [0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42] + id.bytes)
        #expect(STUNTransactionID.random() != id)
    }

    /// The CRC-32 check value of "123456789" (the reflected 0x04C11DB7 CRC, as zlib's).
    @Test func crc32CheckValue() {
        #expect(STUNFingerprint.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    // MARK: Broken input

    static let broken: [(String, [UInt8], STUNDecodeError)] = [
        ("empty", [], .tooShort(0)),
        ("a header cut short", Array(rfc5769IPv4Response.prefix(19)), .tooShort(19)),
        ("first bits set", [0xc1] + Array(response([mappedIPv4]).dropFirst()), .notSTUN),
        ("length beyond the datagram", Array(rfc5769IPv4Response.prefix(40)), .lengthMismatch(declared: 60, received: 20)),
        ("length not a multiple of 4", [0x01, 0x01, 0x00, 0x02] + Array(response([]).dropFirst(4)) + [0, 0], .lengthMismatch(declared: 2, received: 2)),
        ("no magic cookie", response(cookie: 0x1234_5678, [mappedIPv4]), .noMagicCookie),
        ("a request", response(type: 0x0001, [mappedIPv4]), .notABindingResponse(messageType: 0x0001)),
        ("an attribute longer than the message", [0x01, 0x01, 0x00, 0x08] + Array(response([]).dropFirst(4)) + [0x00, 0x01, 0x00, 0x40, 0, 1, 0, 0],
         .attributeOverrun(type: 0x0001)),
        ("address family 3", response([(0x0001, [0x00, 0x03, 0x1f, 0x90, 1, 2, 3, 4])]),
         .malformedAddress(attribute: "MAPPED-ADDRESS", reason: "address family 3, neither IPv4 (1) nor IPv6 (2)")),
        ("IPv6 family with 4 bytes", response([(0x0020, [0x00, 0x02, 0x1f, 0x90, 1, 2, 3, 4])]),
         .malformedAddress(attribute: "XOR-MAPPED-ADDRESS", reason: "4 address bytes for IPv6, not 16")),
        ("address too short", response([(0x0001, [0x00, 0x01])]), .malformedAddress(attribute: "MAPPED-ADDRESS", reason: "2 bytes, too short")),
        ("unknown required attribute", response([mappedIPv4, (0x0033, [1, 2, 3, 4])]), .unknownRequiredAttributes([0x0033])),
        ("attribute after FINGERPRINT", response([mappedIPv4], fingerprint: true) .withAttribute(0x8022, [0x41, 0, 0, 0]), .fingerprintNotLast),
        ("success without an address", response([(0x8022, Array("x".utf8))]), .noMappedAddress),
        ("error code 700", response(type: 0x0111, [(0x0009, [0, 0, 7, 0])]), .malformedErrorCode),
    ]

    @Test(arguments: broken.indices)
    func brokenInputIsRefusedWithItsReason(_ index: Int) {
        let (name, bytes, expected) = Self.broken[index]
        #expect(throws: expected, "\(name)") { try Self.decode(bytes) }
    }

    @Test func unknownOptionalAttributesAreIgnored() throws {
        let response = try Self.decode(Self.response([(0x802B, [0, 1, 0, 1, 1, 2, 3, 4]), Self.mappedIPv4, (0xC057, [9])]))
        #expect(response.outcome == .mapped(TransportEndpoint(address: "198.51.100.7", port: 8080), attribute: .mappedAddress))
    }

    /// Every prefix of, and every single-bit change to, the vectors and stund's answer, then
    /// random datagrams: each decodes or throws; none traps.
    @Test func everyCorruptionDecodesOrThrows() {
        var generator = SystemRandomNumberGenerator()
        var refused = 0
        for sample in [Self.rfc5769IPv4Response, Self.rfc5769IPv6Response, Self.stundResponse] {
            for length in 0..<sample.count {
                if (try? Self.decode(Array(sample.prefix(length)))) == nil { refused += 1 }
            }
            for bit in 0..<(sample.count * 8) {
                var changed = sample
                changed[bit / 8] ^= 1 << (bit % 8)
                _ = try? Self.decode(changed)
            }
        }
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...120, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if length >= 8, Bool.random(using: &generator) {
                // A plausible header, so decoding gets past the first checks.
                let declared = Swift.max(0, length - 20)
                bytes.replaceSubrange(0..<8, with: [0x01, 0x01, UInt8(declared >> 8), UInt8(declared & 0xfc), 0x21, 0x12, 0xa4, 0x42])
            }
            _ = try? Self.decode(bytes)
        }
        #expect(refused == Self.rfc5769IPv4Response.count + Self.rfc5769IPv6Response.count + Self.stundResponse.count)
    }
}

private extension Array where Element == UInt8 {
    /// This message with one more attribute at the end and its length field updated.
    func withAttribute(_ type: UInt16, _ value: [UInt8]) -> [UInt8] {
        var bytes = self + [UInt8(type >> 8), UInt8(type & 0xff), 0, UInt8(value.count)] + value
        let length = bytes.count - 20
        bytes[2] = UInt8(length >> 8)
        bytes[3] = UInt8(length & 0xff)
        return bytes
    }
}
