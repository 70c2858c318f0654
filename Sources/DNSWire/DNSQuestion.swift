/// A question (or, in an UPDATE, the zone: name, SOA, IN).
public struct DNSQuestion: Hashable, Sendable, CustomStringConvertible {
    public var name: DNSName
    public var type: DNSRecordType
    public var recordClass: DNSClass

    public init(name: DNSName, type: DNSRecordType, recordClass: DNSClass = .internet) {
        self.name = name
        self.type = type
        self.recordClass = recordClass
    }

    public var description: String { "\(name) \(recordClass) \(type)" }
}

/// A resource record. In UPDATE messages CLASS and TTL also say what to do (RFC 2136 §2.5).
public struct DNSResourceRecord: Hashable, Sendable {
    public var name: DNSName
    public var type: DNSRecordType
    public var recordClass: DNSClass
    public var ttl: UInt32
    public var data: DNSRecordData

    public init(name: DNSName, type: DNSRecordType, recordClass: DNSClass = .internet, ttl: UInt32, data: DNSRecordData) {
        self.name = name
        self.type = type
        self.recordClass = recordClass
        self.ttl = ttl
        self.data = data
    }

    func encode(into writer: inout DNSByteWriter) throws {
        writer.write(name)
        writer.write(type.rawValue)
        writer.write(recordClass.rawValue)
        writer.write(ttl)
        let lengthIndex = writer.bytes.count
        writer.write(UInt16(0))
        try data.encode(into: &writer)
        let length = writer.bytes.count - lengthIndex - 2
        guard length <= 0xFFFF else { throw DNSWireError.valueTooLarge(field: "RDLENGTH", value: length, limit: 0xFFFF) }
        writer.patch(UInt16(length), at: lengthIndex)
    }

    static func decode(reader: inout DNSByteReader, section: String) throws -> DNSResourceRecord {
        let name = try reader.readName("\(section) record name")
        let type = DNSRecordType(rawValue: try reader.readUInt16("\(section) record TYPE"))
        let recordClass = DNSClass(rawValue: try reader.readUInt16("\(section) record CLASS"))
        let ttl = try reader.readUInt32("\(section) record TTL")
        let length = Int(try reader.readUInt16("\(section) record RDLENGTH"))
        let data = try DNSRecordData.decode(type: type, length: length, reader: &reader)
        return DNSResourceRecord(name: name, type: type, recordClass: recordClass, ttl: ttl, data: data)
    }
}
