import InternetAddress
import NIOCore

/// What a Binding exchange needs of STUN (RFC 8489): the request, and the decoding of its
/// response, success or error.
public enum STUNMessage {
    /// RFC 8489 section 5. A response from an RFC 3489 server echoes it too: to such a server
    /// it is the first four bytes of a 128-bit transaction ID.
    public static let magicCookie: UInt32 = 0x2112_A442
    static let headerLength = 20

    /// Message types: method Binding (0x001) in the request, success response and error
    /// response classes (RFC 8489 sections 5 and 18.2).
    static let bindingRequestType: UInt16 = 0x0001
    static let bindingSuccessType: UInt16 = 0x0101
    static let bindingErrorType: UInt16 = 0x0111

    /// A Binding request without attributes: RFC 8489 section 6.1 needs none without
    /// credentials, and an RFC 3489 server answers it as well.
    public static func bindingRequest(_ id: STUNTransactionID) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(headerLength)
        buffer.writeInteger(bindingRequestType)
        buffer.writeInteger(UInt16(0))
        buffer.writeInteger(magicCookie)
        buffer.writeBytes(id.bytes)
        return buffer
    }

    /// Decodes a Binding success or error response. Anything else, or anything malformed,
    /// throws; a malformed datagram never traps.
    public static func decodeResponse(_ datagram: ByteBuffer) throws(STUNDecodeError) -> STUNResponse {
        var buffer = datagram
        let received = buffer.readableBytes
        guard received >= headerLength,
              let type = buffer.readInteger(as: UInt16.self),
              let length = buffer.readInteger(as: UInt16.self),
              let cookie = buffer.readInteger(as: UInt32.self),
              let idBytes = buffer.readBytes(length: STUNTransactionID.byteCount),
              let id = STUNTransactionID(bytes: idBytes) else {
            throw .tooShort(received)
        }
        guard type & 0xC000 == 0 else { throw .notSTUN }
        guard Int(length) % 4 == 0, Int(length) == received - headerLength else {
            throw .lengthMismatch(declared: Int(length), received: received - headerLength)
        }
        guard cookie == magicCookie else { throw .noMagicCookie }
        guard type == bindingSuccessType || type == bindingErrorType else { throw .notABindingResponse(messageType: type) }

        var attributes = STUNAttributes()
        var fingerprint: (start: Int, value: ByteBuffer)?
        while buffer.readableBytes > 0 {
            let start = received - buffer.readableBytes
            guard let attributeType = buffer.readInteger(as: UInt16.self),
                  let attributeLength = buffer.readInteger(as: UInt16.self) else {
                throw .attributeOverrun(type: 0)
            }
            if attributes.fingerprintSeen { throw .fingerprintNotLast }
            let padded = (Int(attributeLength) + 3) & ~3
            guard padded <= buffer.readableBytes, let value = buffer.getSlice(at: buffer.readerIndex, length: Int(attributeLength)) else {
                throw .attributeOverrun(type: attributeType)
            }
            buffer.moveReaderIndex(forwardBy: padded)
            try attributes.take(type: attributeType, value: value, id: id)
            if attributeType == STUNAttributes.fingerprint { fingerprint = (start, value) }
        }
        // Checked once it is known to be the last attribute: it covers everything before it.
        if let fingerprint {
            let value = fingerprint.value
            guard value.readableBytes == 4, let carried = value.getInteger(at: value.readerIndex, as: UInt32.self),
                  let covered = datagram.getBytes(at: datagram.readerIndex, length: fingerprint.start),
                  STUNFingerprint.value(of: covered) == carried else {
                throw .fingerprintMismatch
            }
        }
        guard attributes.unknownRequired.isEmpty else { throw .unknownRequiredAttributes(attributes.unknownRequired) }

        if type == bindingErrorType {
            return STUNResponse(transactionID: id, outcome: .error(code: attributes.errorCode?.code ?? 0,
                                                                   reason: attributes.errorCode?.reason ?? ""),
                                software: attributes.software)
        }
        if let mapped = attributes.xorMapped {
            return STUNResponse(transactionID: id, outcome: .mapped(mapped, attribute: .xorMappedAddress), software: attributes.software)
        }
        if let mapped = attributes.mapped {
            return STUNResponse(transactionID: id, outcome: .mapped(mapped, attribute: .mappedAddress), software: attributes.software)
        }
        throw .noMappedAddress
    }
}

/// A decoded Binding response.
public struct STUNResponse: Sendable, Equatable {
    /// Which attribute carried the mapped address.
    public enum MappedAttribute: String, Sendable, Equatable {
        /// RFC 8489 section 14.2.
        case xorMappedAddress = "XOR-MAPPED-ADDRESS"
        /// RFC 8489 section 14.1; what RFC 3489 servers send (some also add XOR-MAPPED-ADDRESS).
        case mappedAddress = "MAPPED-ADDRESS"
    }

    public enum Outcome: Sendable, Equatable {
        /// The transport address the server saw the request come from.
        case mapped(TransportEndpoint, attribute: MappedAttribute)
        /// An error response: its ERROR-CODE (0 when it carried none) and reason phrase.
        case error(code: Int, reason: String)
    }

    public var transactionID: STUNTransactionID
    public var outcome: Outcome
    /// The server's SOFTWARE attribute, if any.
    public var software: String?
}
