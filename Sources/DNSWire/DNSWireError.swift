/// Why bytes could not be read as a DNS message, or a message could not be written.
/// Every case names the part that was wrong, so a dropped packet can be logged usefully.
public enum DNSWireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The data ended while reading `field` at byte `offset` (`needed` more bytes were required).
    case truncated(field: String, offset: Int, needed: Int)
    /// A label longer than 63 bytes (or a reserved label type) at `offset`.
    case badLabel(offset: Int, reason: String)
    /// A name longer than 255 bytes in wire form.
    case nameTooLong(length: Int)
    /// A compression pointer that loops, points forward, or points outside the message.
    case badPointer(offset: Int, target: Int, reason: String)
    /// A record's RDLENGTH runs past the end of the message, or its rdata does not fill it.
    case badRData(type: String, offset: Int, reason: String)
    /// A text name could not be turned into a DNS name.
    case invalidName(String, reason: String)
    /// An address string is not a valid IPv4/IPv6 address.
    case invalidAddress(String)
    /// Bytes left over after all the records the header announced.
    case trailingBytes(count: Int)
    /// A value that does not fit its wire field (e.g. TXT string > 255 bytes, rdata > 65535).
    case valueTooLarge(field: String, value: Int, limit: Int)

    public var description: String {
        switch self {
        case .truncated(let field, let offset, let needed):
            return "DNS message truncated: \(field) at byte \(offset) needs \(needed) more byte(s)"
        case .badLabel(let offset, let reason):
            return "DNS name label at byte \(offset) is invalid: \(reason)"
        case .nameTooLong(let length):
            return "DNS name is \(length) bytes long; at most 255 are allowed"
        case .badPointer(let offset, let target, let reason):
            return "DNS compression pointer at byte \(offset) to byte \(target) is invalid: \(reason)"
        case .badRData(let type, let offset, let reason):
            return "DNS \(type) record data at byte \(offset) is invalid: \(reason)"
        case .invalidName(let name, let reason):
            return "'\(name)' is not a valid DNS name: \(reason)"
        case .invalidAddress(let text):
            return "'\(text)' is not a valid IPv4 or IPv6 address"
        case .trailingBytes(let count):
            return "DNS message has \(count) byte(s) after its last record"
        case .valueTooLarge(let field, let value, let limit):
            return "DNS \(field) is \(value); at most \(limit) fits"
        }
    }
}
