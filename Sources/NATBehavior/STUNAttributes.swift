import InternetAddress
import NIOCore

/// The attributes of one response, collected while decoding it (RFC 8489 section 14).
struct STUNAttributes {
    static let mappedAddress: UInt16 = 0x0001
    static let errorCode: UInt16 = 0x0009
    static let xorMappedAddress: UInt16 = 0x0020
    static let software: UInt16 = 0x8022
    static let fingerprint: UInt16 = 0x8028

    /// Comprehension-required attributes (0x0000-0x7FFF) a Binding response may carry that this
    /// client reads past: those RFC 8489 section 18.3 registers (USERNAME, MESSAGE-INTEGRITY,
    /// UNKNOWN-ATTRIBUTES, REALM, NONCE, MESSAGE-INTEGRITY-SHA256, PASSWORD-ALGORITHM,
    /// USERHASH), and RFC 3489's RESPONSE-ADDRESS, CHANGE-REQUEST, SOURCE-ADDRESS,
    /// CHANGED-ADDRESS, PASSWORD and REFLECTED-FROM (RFC 3489 section 11.2), which Debian's
    /// `stund` puts in every answer.
    static let requiredButIgnored: Set<UInt16> = [
        0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0007, 0x0008, 0x000A, 0x000B,
        0x0014, 0x0015, 0x001C, 0x001D, 0x001E,
    ]

    var mapped: TransportEndpoint?
    var xorMapped: TransportEndpoint?
    var errorCode: (code: Int, reason: String)?
    var software: String?
    var fingerprintSeen = false
    var unknownRequired: [UInt16] = []

    /// Takes one attribute; the first of each kind counts (RFC 8489 section 14: "any
    /// attributes that are known, but are not supposed to be present ... or are repeated").
    mutating func take(type: UInt16, value: ByteBuffer, id: STUNTransactionID) throws(STUNDecodeError) {
        switch type {
        case Self.mappedAddress:
            if mapped == nil { mapped = try Self.address(value, name: "MAPPED-ADDRESS", xor: nil) }
        case Self.xorMappedAddress:
            if xorMapped == nil { xorMapped = try Self.address(value, name: "XOR-MAPPED-ADDRESS", xor: id) }
        case Self.errorCode:
            if errorCode == nil { errorCode = try Self.errorCode(value) }
        case Self.software:
            if software == nil { software = Self.printable(value) }
        case Self.fingerprint:
            fingerprintSeen = true
        default:
            if type < 0x8000, !Self.requiredButIgnored.contains(type) { unknownRequired.append(type) }
        }
    }

    /// MAPPED-ADDRESS and XOR-MAPPED-ADDRESS (RFC 8489 sections 14.1 and 14.2): a reserved
    /// byte, the family (1 IPv4, 2 IPv6), the port and the address. XORed, the port is XORed
    /// with the cookie's top 16 bits, an IPv4 address with the cookie, an IPv6 address with
    /// the cookie followed by the transaction ID.
    static func address(_ value: ByteBuffer, name: String, xor id: STUNTransactionID?) throws(STUNDecodeError) -> TransportEndpoint {
        var value = value
        guard value.readableBytes >= 4, let family = value.getInteger(at: value.readerIndex + 1, as: UInt8.self),
              let rawPort = value.getInteger(at: value.readerIndex + 2, as: UInt16.self) else {
            throw .malformedAddress(attribute: name, reason: "\(value.readableBytes) bytes, too short")
        }
        value.moveReaderIndex(forwardBy: 4)
        let expected: Int
        switch family {
        case 1: expected = 4
        case 2: expected = 16
        default: throw .malformedAddress(attribute: name, reason: "address family \(family), neither IPv4 (1) nor IPv6 (2)")
        }
        guard value.readableBytes == expected, var bytes = value.readBytes(length: expected) else {
            throw .malformedAddress(attribute: name, reason: "\(value.readableBytes) address bytes for \(family == 1 ? "IPv4" : "IPv6"), not \(expected)")
        }
        var port = rawPort
        if let id {
            port ^= UInt16(STUNMessage.magicCookie >> 16)
            let mask = withUnsafeBytes(of: STUNMessage.magicCookie.bigEndian, Array.init) + id.bytes
            for index in bytes.indices { bytes[index] ^= mask[index] }
        }
        guard let address = IPAddress(bytes: bytes) else {
            throw .malformedAddress(attribute: name, reason: "not an address")
        }
        return TransportEndpoint(address: address, port: Int(port))
    }

    /// ERROR-CODE (RFC 8489 section 14.8): 21 reserved bits, the hundreds (3 to 6) in 3 bits,
    /// the rest (0 to 99) in a byte, then a UTF-8 reason phrase.
    static func errorCode(_ value: ByteBuffer) throws(STUNDecodeError) -> (code: Int, reason: String) {
        guard value.readableBytes >= 4,
              let hundreds = value.getInteger(at: value.readerIndex + 2, as: UInt8.self),
              let rest = value.getInteger(at: value.readerIndex + 3, as: UInt8.self),
              (3...6).contains(hundreds & 0x07), rest < 100 else {
            throw .malformedErrorCode
        }
        let reason = printable(value.getSlice(at: value.readerIndex + 4, length: value.readableBytes - 4) ?? ByteBuffer())
        return (Int(hundreds & 0x07) * 100 + Int(rest), reason)
    }

    /// Text from the network, for a report: at most 128 characters, trailing NULs (C servers
    /// such as `stund` send them) removed, control characters and invalid UTF-8 replaced.
    static func printable(_ value: ByteBuffer) -> String {
        let bytes = value.readableBytesView.prefix(512)
        let text = String(decoding: bytes[..<(bytes.lastIndex { $0 != 0 }.map { $0 + 1 } ?? bytes.startIndex)], as: UTF8.self)
        return String(String.UnicodeScalarView(text.unicodeScalars.prefix(128).map {
            $0.properties.generalCategory == .control ? "\u{FFFD}" : $0
        }))
    }
}
