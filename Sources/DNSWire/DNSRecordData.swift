import InternetAddress

/// SOA record data (RFC 1035 §3.3.13).
public struct DNSSOA: Hashable, Sendable {
    public var primaryServer: DNSName
    public var responsibleMailbox: DNSName
    public var serial: UInt32
    public var refresh: UInt32
    public var retry: UInt32
    public var expire: UInt32
    public var minimum: UInt32

    public init(primaryServer: DNSName, responsibleMailbox: DNSName, serial: UInt32, refresh: UInt32,
                retry: UInt32, expire: UInt32, minimum: UInt32) {
        self.primaryServer = primaryServer
        self.responsibleMailbox = responsibleMailbox
        self.serial = serial
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimum = minimum
    }
}

/// TSIG record data (RFC 8945 §4.2).
public struct TSIGRecordData: Hashable, Sendable {
    public var algorithm: DNSName
    /// Seconds since the Unix epoch (48 bits on the wire).
    public var timeSigned: UInt64
    public var fudge: UInt16
    public var mac: [UInt8]
    public var originalID: UInt16
    /// 0, or BADSIG 16 / BADKEY 17 / BADTIME 18 / BADTRUNC 22.
    public var error: DNSResponseCode
    public var otherData: [UInt8]

    public init(algorithm: DNSName, timeSigned: UInt64, fudge: UInt16, mac: [UInt8], originalID: UInt16,
                error: DNSResponseCode, otherData: [UInt8]) {
        self.algorithm = algorithm
        self.timeSigned = timeSigned
        self.fudge = fudge
        self.mac = mac
        self.originalID = originalID
        self.error = error
        self.otherData = otherData
    }
}

/// Record data: typed for the types homeport reads, raw bytes otherwise. Empty rdata (UPDATE
/// deletions and prerequisites, RFC 2136 §2.4–2.5) is `.raw([])` whatever the type.
public enum DNSRecordData: Hashable, Sendable {
    case a(IPAddress)
    case aaaa(IPAddress)
    case txt([[UInt8]])
    case cname(DNSName)
    case ns(DNSName)
    case soa(DNSSOA)
    case tsig(TSIGRecordData)
    case raw([UInt8])

    /// The TXT strings decoded as UTF-8 (invalid bytes replaced).
    public var textStrings: [String]? {
        guard case .txt(let strings) = self else { return nil }
        return strings.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The address of an A or AAAA record.
    public var address: IPAddress? {
        switch self {
        case .a(let address), .aaaa(let address): return address
        default: return nil
        }
    }

    func encode(into writer: inout DNSByteWriter) throws {
        switch self {
        case .a(let address), .aaaa(let address):
            writer.write(address.bytes)
        case .txt(let strings):
            for string in strings {
                guard string.count <= 255 else { throw DNSWireError.valueTooLarge(field: "TXT string length", value: string.count, limit: 255) }
                writer.write(UInt8(string.count))
                writer.write(string)
            }
        case .cname(let name), .ns(let name):
            writer.write(name)
        case .soa(let soa):
            writer.write(soa.primaryServer)
            writer.write(soa.responsibleMailbox)
            for value in [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum] { writer.write(value) }
        case .tsig(let tsig):
            writer.write(tsig.algorithm)
            writer.writeUInt48(tsig.timeSigned)
            writer.write(tsig.fudge)
            guard tsig.mac.count <= 0xFFFF else { throw DNSWireError.valueTooLarge(field: "TSIG MAC size", value: tsig.mac.count, limit: 0xFFFF) }
            writer.write(UInt16(tsig.mac.count))
            writer.write(tsig.mac)
            writer.write(tsig.originalID)
            writer.write(tsig.error.rawValue)
            guard tsig.otherData.count <= 0xFFFF else { throw DNSWireError.valueTooLarge(field: "TSIG other length", value: tsig.otherData.count, limit: 0xFFFF) }
            writer.write(UInt16(tsig.otherData.count))
            writer.write(tsig.otherData)
        case .raw(let bytes):
            writer.write(bytes)
        }
    }

    /// Reads `length` bytes of rdata of `type` at the reader's offset; names may point anywhere
    /// earlier in the message, but the fields must fill exactly `length` bytes.
    static func decode(type: DNSRecordType, length: Int, reader: inout DNSByteReader) throws -> DNSRecordData {
        let start = reader.offset
        try reader.require(length, "\(type) rdata (RDLENGTH \(length))")
        let end = start + length
        if length == 0 { return .raw([]) }
        var sub = DNSByteReader(reader.bytes, offset: start, limit: end)
        let data: DNSRecordData
        switch type {
        case .a, .aaaa:
            let expected = type == .a ? 4 : 16
            guard length == expected else {
                throw DNSWireError.badRData(type: type.description, offset: start, reason: "RDLENGTH \(length), expected \(expected)")
            }
            data = try IPAddress(bytes: sub.readBytes(length, "\(type) address")).map { type == .a ? .a($0) : .aaaa($0) } ?? .raw([])
        case .txt:
            var strings: [[UInt8]] = []
            while sub.offset < end {
                let count = Int(try sub.readUInt8("TXT string length"))
                strings.append(try sub.readBytes(count, "TXT string"))
            }
            data = .txt(strings)
        case .cname:
            data = .cname(try sub.readName("CNAME target"))
        case .ns:
            data = .ns(try sub.readName("NS target"))
        case .soa:
            let primary = try sub.readName("SOA MNAME")
            let mailbox = try sub.readName("SOA RNAME")
            data = .soa(DNSSOA(
                primaryServer: primary, responsibleMailbox: mailbox,
                serial: try sub.readUInt32("SOA SERIAL"), refresh: try sub.readUInt32("SOA REFRESH"),
                retry: try sub.readUInt32("SOA RETRY"), expire: try sub.readUInt32("SOA EXPIRE"),
                minimum: try sub.readUInt32("SOA MINIMUM")))
        case .tsig:
            let algorithm = try sub.readName("TSIG algorithm")
            let time = try sub.readUInt48("TSIG time signed")
            let fudge = try sub.readUInt16("TSIG fudge")
            let macSize = Int(try sub.readUInt16("TSIG MAC size"))
            let mac = try sub.readBytes(macSize, "TSIG MAC")
            let originalID = try sub.readUInt16("TSIG original ID")
            let error = try sub.readUInt16("TSIG error")
            let otherLength = Int(try sub.readUInt16("TSIG other length"))
            let other = try sub.readBytes(otherLength, "TSIG other data")
            data = .tsig(TSIGRecordData(algorithm: algorithm, timeSigned: time, fudge: fudge, mac: mac,
                                        originalID: originalID, error: DNSResponseCode(rawValue: error), otherData: other))
        default:
            data = .raw(try sub.readBytes(length, "\(type) rdata"))
        }
        guard sub.offset == end else {
            throw DNSWireError.badRData(type: type.description, offset: start, reason: "fields fill \(sub.offset - start) of RDLENGTH \(length) bytes")
        }
        reader.offset = end
        return data
    }
}
