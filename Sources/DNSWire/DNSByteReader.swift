/// A bounds-checked cursor over a whole DNS message. Every read either returns a value or throws
/// `DNSWireError.truncated` naming the field; nothing here can trap on hostile input.
struct DNSByteReader {
    let bytes: [UInt8]
    var offset: Int
    /// Reads stop here (the end of the message, or of the rdata being read).
    let limit: Int

    init(_ bytes: [UInt8], offset: Int = 0, limit: Int? = nil) {
        self.bytes = bytes
        self.offset = offset
        self.limit = min(limit ?? bytes.count, bytes.count)
    }

    var remaining: Int { limit - offset }

    func require(_ count: Int, _ field: String) throws {
        if count < 0 || remaining < count {
            throw DNSWireError.truncated(field: field, offset: offset, needed: count - max(remaining, 0))
        }
    }

    mutating func readUInt8(_ field: String) throws -> UInt8 {
        try require(1, field)
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16(_ field: String) throws -> UInt16 {
        try require(2, field)
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func readUInt32(_ field: String) throws -> UInt32 {
        try require(4, field)
        var value: UInt32 = 0
        for index in 0..<4 { value = value << 8 | UInt32(bytes[offset + index]) }
        offset += 4
        return value
    }

    mutating func readUInt48(_ field: String) throws -> UInt64 {
        try require(6, field)
        var value: UInt64 = 0
        for index in 0..<6 { value = value << 8 | UInt64(bytes[offset + index]) }
        offset += 6
        return value
    }

    mutating func readBytes(_ count: Int, _ field: String) throws -> [UInt8] {
        try require(count, field)
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    /// Reads a possibly compressed name (RFC 1035 §4.1.4). Pointers must point strictly backwards,
    /// so a loop is impossible; a hop limit guards anyway.
    mutating func readName(_ field: String) throws -> DNSName {
        var labels: [[UInt8]] = []
        var wireLength = 1  // the root label
        var position = offset
        var jumped = false
        var hops = 0
        var lowestJumpTarget = offset
        while true {
            guard position < limit else {
                throw DNSWireError.truncated(field: "\(field) label length", offset: position, needed: 1)
            }
            let length = bytes[position]
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    if !jumped { offset = position + 1 }
                    return DNSName(uncheckedLabels: labels)
                }
                let count = Int(length)
                guard position + 1 + count <= limit else {
                    throw DNSWireError.truncated(field: "\(field) label", offset: position + 1, needed: position + 1 + count - limit)
                }
                wireLength += count + 1
                if wireLength > DNSName.maxWireLength { throw DNSWireError.nameTooLong(length: wireLength) }
                labels.append(Array(bytes[(position + 1)...(position + count)]))
                position += 1 + count
            case 0xC0:
                guard position + 1 < limit else {
                    throw DNSWireError.truncated(field: "\(field) compression pointer", offset: position, needed: 1)
                }
                let target = Int(length & 0x3F) << 8 | Int(bytes[position + 1])
                // Only backwards jumps, each further back than the last: guarantees termination.
                guard target < lowestJumpTarget, target < position else {
                    throw DNSWireError.badPointer(offset: position, target: target, reason: "does not point backwards (loop)")
                }
                hops += 1
                guard hops <= 127 else {
                    throw DNSWireError.badPointer(offset: position, target: target, reason: "too many pointers")
                }
                if !jumped { offset = position + 2 }
                jumped = true
                lowestJumpTarget = target
                position = target
            default:
                throw DNSWireError.badLabel(offset: position, reason: "label type 0x\(String(length & 0xC0, radix: 16)) is reserved (length byte \(length); labels are at most 63 bytes)")
            }
        }
    }
}

/// Appends DNS wire fields to a byte array. Names are written uncompressed, which every server
/// accepts and keeps the bytes signed by TSIG exactly the bytes sent.
struct DNSByteWriter {
    var bytes: [UInt8] = []

    mutating func write(_ value: UInt8) { bytes.append(value) }

    mutating func write(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func write(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }

    mutating func writeUInt48(_ value: UInt64) {
        for shift in stride(from: 40, through: 0, by: -8) { bytes.append(UInt8((value >> UInt64(shift)) & 0xFF)) }
    }

    mutating func write(_ data: [UInt8]) { bytes.append(contentsOf: data) }

    mutating func write(_ name: DNSName) { bytes.append(contentsOf: name.wireFormat) }

    /// Overwrites a 16-bit field already written (used for RDLENGTH and header counts).
    mutating func patch(_ value: UInt16, at index: Int) {
        bytes[index] = UInt8(value >> 8)
        bytes[index + 1] = UInt8(value & 0xFF)
    }
}
