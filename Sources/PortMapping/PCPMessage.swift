import InternetAddress

/// PCP wire format (RFC 6887): the ANNOUNCE and MAP opcodes, IPv4 only. Pure encode/decode.
public enum PCPMessage {
    public static let version: UInt8 = 2
    public static let maxPacket = 1100
    public static let headerLength = 24
    public static let mapPayloadLength = 36

    public enum Opcode: UInt8, Sendable {
        case announce = 0
        case map = 1
    }

    /// A random 96-bit nonce that identifies one mapping across renewals and delete.
    public typealias Nonce = [UInt8]

    public static func randomNonce() -> Nonce {
        var rng = SystemRandomNumberGenerator()
        return (0..<12).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }

    /// Section 7.1 request header.
    static func requestHeader(_ opcode: Opcode, lifetime: UInt32, client: IPAddress) -> [UInt8] {
        var out: [UInt8] = [version, opcode.rawValue, 0, 0]
        out.append(contentsOf: lifetime.bigEndianBytes)
        out.append(contentsOf: client.ipv4Mapped.bytes)
        return out
    }

    /// Section 14.1: ANNOUNCE request, header only with lifetime 0.
    public static func announceRequest(client: IPAddress) -> [UInt8] {
        requestHeader(.announce, lifetime: 0, client: client)
    }

    /// Section 11.1: MAP request, 60 bytes. Lifetime 0 deletes.
    public static func mapRequest(nonce: Nonce, proto: TransportProtocol, internalPort: UInt16, suggestedExternalPort: UInt16,
                                  suggestedExternalAddress: IPAddress?, lifetime: UInt32, client: IPAddress) -> [UInt8] {
        var out = requestHeader(.map, lifetime: lifetime, client: client)
        out.append(contentsOf: nonce.count == 12 ? nonce : Array((nonce + [UInt8](repeating: 0, count: 12)).prefix(12)))
        out.append(proto.ianaNumber)
        out.append(contentsOf: [0, 0, 0])
        out.append(contentsOf: internalPort.bigEndianBytes)
        out.append(contentsOf: suggestedExternalPort.bigEndianBytes)
        // All-zero IPv4-mapped address (::ffff:0.0.0.0) means "no preference" (section 11.1).
        out.append(contentsOf: (suggestedExternalAddress ?? .ipv4Unspecified).ipv4Mapped.bytes)
        return out
    }

    public struct ResponseHeader: Sendable, Equatable {
        public var opcode: UInt8
        public var resultCode: UInt8
        public var lifetime: UInt32
        public var epoch: UInt32
    }

    public struct MapResponse: Sendable, Equatable {
        public var header: ResponseHeader
        public var nonce: Nonce
        public var proto: UInt8
        public var internalPort: UInt16
        public var externalPort: UInt16
        public var externalAddress: IPAddress?
    }

    /// Section 7.2. A version-0 reply means a NAT-PMP-only server answered (section 9): it is
    /// reported as UNSUPP_VERSION so the caller falls back to NAT-PMP.
    public static func decodeHeader(_ data: [UInt8]) throws -> ResponseHeader {
        if data.count >= 2, data[0] == 0 {
            throw PortMappingError.pcpResult(code: PCPResultCode.unsupportedVersion)
        }
        guard data.count >= headerLength else {
            throw PortMappingError.malformedResponse(.pcp, "\(data.count)-byte packet is shorter than the 24-byte header")
        }
        guard data.count <= maxPacket, data.count % 4 == 0 else {
            throw PortMappingError.malformedResponse(.pcp, "length \(data.count) is not a multiple of 4 up to 1100")
        }
        guard data[0] == version else {
            throw PortMappingError.malformedResponse(.pcp, "version \(data[0]), expected 2")
        }
        guard data[1] & 0x80 != 0 else {
            throw PortMappingError.malformedResponse(.pcp, "R bit clear: a request, not a response")
        }
        return ResponseHeader(opcode: data[1] & 0x7f, resultCode: data[3],
                              lifetime: UInt32(bigEndian: data, at: 4), epoch: UInt32(bigEndian: data, at: 8))
    }

    /// Decodes a response expected for `opcode`, throwing non-zero result codes as `pcpResult`.
    public static func decodeAnnounceResponse(_ data: [UInt8]) throws -> ResponseHeader {
        let header = try decodeHeader(data)
        guard header.opcode == Opcode.announce.rawValue else {
            throw PortMappingError.malformedResponse(.pcp, "opcode \(header.opcode), expected ANNOUNCE (0)")
        }
        if header.resultCode != PCPResultCode.success { throw PortMappingError.pcpResult(code: header.resultCode) }
        return header
    }

    /// Section 11.2. The nonce must match ours, or the answer is for someone else.
    public static func decodeMapResponse(_ data: [UInt8], expectedNonce: Nonce?) throws -> MapResponse {
        let header = try decodeHeader(data)
        guard header.opcode == Opcode.map.rawValue else {
            throw PortMappingError.malformedResponse(.pcp, "opcode \(header.opcode), expected MAP (1)")
        }
        // Errors may come with a truncated or copied payload; the result code is what matters.
        if header.resultCode != PCPResultCode.success, data.count < headerLength + mapPayloadLength {
            throw PortMappingError.pcpResult(code: header.resultCode)
        }
        guard data.count >= headerLength + mapPayloadLength else {
            throw PortMappingError.malformedResponse(.pcp, "MAP response is \(data.count) bytes, expected at least 60")
        }
        let nonce = Array(data[24..<36])
        if let expectedNonce, nonce != expectedNonce {
            throw PortMappingError.malformedResponse(.pcp, "MAP response nonce does not match the request")
        }
        if header.resultCode != PCPResultCode.success { throw PortMappingError.pcpResult(code: header.resultCode) }
        let rawAddress = Array(data[44..<60])
        let address = IPAddress(bytes: rawAddress)?.embeddedIPv4
        guard address != nil || rawAddress.allSatisfy({ $0 == 0 }) else {
            throw PortMappingError.malformedResponse(.pcp, "assigned external address is not an IPv4-mapped address")
        }
        return MapResponse(header: header, nonce: nonce, proto: data[36],
                           internalPort: UInt16(bigEndian: data, at: 40), externalPort: UInt16(bigEndian: data, at: 42),
                           externalAddress: address)
    }
}

extension Array where Element == UInt8 {
    var hexString: String { map { String(format2: $0) }.joined() }
}

extension String {
    init(format2 byte: UInt8) {
        let digits = Array("0123456789abcdef")
        self = String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
    }
}

func bytes(fromHex text: String) -> [UInt8]? {
    guard text.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
        out.append(byte)
        index = next
    }
    return out
}
