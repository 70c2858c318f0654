/// Why a datagram was not taken as a STUN Binding response. The probe drops such a datagram
/// and counts it; none of these ends the exchange.
public enum STUNDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooShort(Int)
    /// The two most significant bits of the first byte are not zero (RFC 8489 section 5).
    case notSTUN
    case lengthMismatch(declared: Int, received: Int)
    case noMagicCookie
    case notABindingResponse(messageType: UInt16)
    /// An attribute runs past the end of the message.
    case attributeOverrun(type: UInt16)
    case malformedAddress(attribute: String, reason: String)
    case malformedErrorCode
    /// Comprehension-required attributes this client does not know: RFC 8489 section 7.3.3
    /// says to discard such a success response (and section 7.3.4 treats an error response
    /// carrying them as failed).
    case unknownRequiredAttributes([UInt16])
    case fingerprintMismatch
    /// FINGERPRINT must be the last attribute (RFC 8489 section 14.7).
    case fingerprintNotLast
    case noMappedAddress

    public var description: String {
        switch self {
        case .tooShort(let count): "\(count) bytes, shorter than a STUN header (20)"
        case .notSTUN: "not a STUN message (first two bits set)"
        case .lengthMismatch(let declared, let received): "the header says \(declared) bytes of attributes, the datagram has \(received)"
        case .noMagicCookie: "no STUN magic cookie"
        case .notABindingResponse(let type): "message type 0x\(String(type, radix: 16)), not a Binding response"
        case .attributeOverrun(let type): "attribute 0x\(String(type, radix: 16)) runs past the end of the message"
        case .malformedAddress(let attribute, let reason): "malformed \(attribute): \(reason)"
        case .malformedErrorCode: "malformed ERROR-CODE"
        case .unknownRequiredAttributes(let types):
            "unknown comprehension-required attributes " + types.map { "0x" + String($0, radix: 16) }.joined(separator: ", ")
        case .fingerprintMismatch: "FINGERPRINT does not match the message"
        case .fingerprintNotLast: "an attribute follows FINGERPRINT"
        case .noMappedAddress: "a success response without XOR-MAPPED-ADDRESS or MAPPED-ADDRESS"
        }
    }
}
