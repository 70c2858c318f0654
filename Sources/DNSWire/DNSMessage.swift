/// A whole DNS message: header, question and the three record sections. An UPDATE message
/// (RFC 2136) uses the same layout: zone = questions, prerequisites = answers,
/// updates = authorities.
public struct DNSMessage: Hashable, Sendable {
    public var id: UInt16
    public var isResponse: Bool
    public var opcode: DNSOpcode
    public var isAuthoritative: Bool
    public var isTruncated: Bool
    public var recursionDesired: Bool
    public var recursionAvailable: Bool
    public var authenticData: Bool
    public var checkingDisabled: Bool
    /// The 4-bit header RCODE. See `responseCode` for the full one.
    public var headerResponseCode: UInt8
    public var questions: [DNSQuestion]
    public var answers: [DNSResourceRecord]
    public var authorities: [DNSResourceRecord]
    public var additionals: [DNSResourceRecord]

    public init(id: UInt16, isResponse: Bool = false, opcode: DNSOpcode = .query, isAuthoritative: Bool = false,
                isTruncated: Bool = false, recursionDesired: Bool = false, recursionAvailable: Bool = false,
                authenticData: Bool = false, checkingDisabled: Bool = false, headerResponseCode: UInt8 = 0,
                questions: [DNSQuestion] = [], answers: [DNSResourceRecord] = [],
                authorities: [DNSResourceRecord] = [], additionals: [DNSResourceRecord] = []) {
        self.id = id
        self.isResponse = isResponse
        self.opcode = opcode
        self.isAuthoritative = isAuthoritative
        self.isTruncated = isTruncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.authenticData = authenticData
        self.checkingDisabled = checkingDisabled
        self.headerResponseCode = headerResponseCode & 0x0F
        self.questions = questions
        self.answers = answers
        self.authorities = authorities
        self.additionals = additionals
    }

    /// A standard query for one name and type, recursion desired.
    public static func query(id: UInt16 = .random(in: .min ... .max), name: DNSName, type: DNSRecordType,
                             recordClass: DNSClass = .internet, recursionDesired: Bool = true) -> DNSMessage {
        DNSMessage(id: id, recursionDesired: recursionDesired,
                   questions: [DNSQuestion(name: name, type: type, recordClass: recordClass)])
    }

    /// The TSIG record when it is the last additional record (the only place it may be).
    public var tsig: (owner: DNSName, data: TSIGRecordData)? {
        guard let last = additionals.last, last.type == .tsig, case .tsig(let data) = last.data else { return nil }
        return (last.name, data)
    }

    /// The full response code: a TSIG error (BADSIG/BADKEY/BADTIME) when the TSIG record carries
    /// one, else the header RCODE extended by an EDNS OPT record's upper bits.
    public var responseCode: DNSResponseCode {
        if let tsig, tsig.data.error != .noError { return tsig.data.error }
        if let opt = additionals.first(where: { $0.type == .opt }) {
            return DNSResponseCode(rawValue: UInt16(opt.ttl >> 24) << 4 | UInt16(headerResponseCode))
        }
        return DNSResponseCode(rawValue: UInt16(headerResponseCode))
    }

    // MARK: UPDATE names for the sections (RFC 2136 §2)

    public var zone: DNSQuestion? { questions.first }
    public var prerequisites: [DNSResourceRecord] { answers }
    public var updates: [DNSResourceRecord] { authorities }

    // MARK: Wire form

    var flags: UInt16 {
        var flags = UInt16(opcode.rawValue) << 11 | UInt16(headerResponseCode & 0x0F)
        if isResponse { flags |= 0x8000 }
        if isAuthoritative { flags |= 0x0400 }
        if isTruncated { flags |= 0x0200 }
        if recursionDesired { flags |= 0x0100 }
        if recursionAvailable { flags |= 0x0080 }
        if authenticData { flags |= 0x0020 }
        if checkingDisabled { flags |= 0x0010 }
        return flags
    }

    public func encode() throws -> [UInt8] {
        var writer = DNSByteWriter()
        writer.write(id)
        writer.write(flags)
        for (count, section) in [(questions.count, "questions"), (answers.count, "answers"),
                                 (authorities.count, "authorities"), (additionals.count, "additionals")] {
            guard count <= 0xFFFF else { throw DNSWireError.valueTooLarge(field: "\(section) count", value: count, limit: 0xFFFF) }
            writer.write(UInt16(count))
        }
        for question in questions {
            writer.write(question.name)
            writer.write(question.type.rawValue)
            writer.write(question.recordClass.rawValue)
        }
        for record in answers + authorities + additionals { try record.encode(into: &writer) }
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws {
        self = try Self.decodeLocatingTSIG(bytes).message
    }

    /// Decodes and also returns the byte offset where a final TSIG record starts (what TSIG
    /// verification strips).
    static func decodeLocatingTSIG(_ bytes: [UInt8]) throws -> (message: DNSMessage, tsigOffset: Int?) {
        var reader = DNSByteReader(bytes)
        let id = try reader.readUInt16("header ID")
        let flags = try reader.readUInt16("header flags")
        let questionCount = Int(try reader.readUInt16("header QDCOUNT"))
        let answerCount = Int(try reader.readUInt16("header ANCOUNT"))
        let authorityCount = Int(try reader.readUInt16("header NSCOUNT"))
        let additionalCount = Int(try reader.readUInt16("header ARCOUNT"))
        var message = DNSMessage(
            id: id, isResponse: flags & 0x8000 != 0, opcode: DNSOpcode(rawValue: UInt8((flags >> 11) & 0x0F)),
            isAuthoritative: flags & 0x0400 != 0, isTruncated: flags & 0x0200 != 0,
            recursionDesired: flags & 0x0100 != 0, recursionAvailable: flags & 0x0080 != 0,
            authenticData: flags & 0x0020 != 0, checkingDisabled: flags & 0x0010 != 0,
            headerResponseCode: UInt8(flags & 0x0F))
        // Each question takes at least 5 bytes and each record at least 11: a count the data
        // cannot hold is rejected before any allocation sized by it.
        let minimum = questionCount * 5 + (answerCount + authorityCount + additionalCount) * 11
        guard minimum <= reader.remaining else {
            throw DNSWireError.truncated(field: "sections announced by the header counts (\(questionCount)/\(answerCount)/\(authorityCount)/\(additionalCount))",
                                         offset: reader.offset, needed: minimum - reader.remaining)
        }
        for _ in 0..<questionCount {
            let name = try reader.readName("question name")
            let type = DNSRecordType(rawValue: try reader.readUInt16("question TYPE"))
            let recordClass = DNSClass(rawValue: try reader.readUInt16("question CLASS"))
            message.questions.append(DNSQuestion(name: name, type: type, recordClass: recordClass))
        }
        for _ in 0..<answerCount { message.answers.append(try .decode(reader: &reader, section: "answer")) }
        for _ in 0..<authorityCount { message.authorities.append(try .decode(reader: &reader, section: "authority")) }
        var lastOffset: Int?
        for _ in 0..<additionalCount {
            lastOffset = reader.offset
            message.additionals.append(try .decode(reader: &reader, section: "additional"))
        }
        guard reader.remaining == 0 else { throw DNSWireError.trailingBytes(count: reader.remaining) }
        let tsigOffset = message.tsig == nil ? nil : lastOffset
        return (message, tsigOffset)
    }
}
