import InternetAddress

/// Builds RFC 2136 UPDATE messages. Records are collected in order; `message` is the result.
public struct DNSUpdate: Sendable {
    public let zone: DNSName
    public private(set) var prerequisites: [DNSResourceRecord] = []
    public private(set) var updates: [DNSResourceRecord] = []
    public var id: UInt16

    public init(zone: DNSName, id: UInt16 = .random(in: .min ... .max)) {
        self.zone = zone
        self.id = id
    }

    // MARK: Prerequisites (RFC 2136 §2.4)

    /// The RRset exists with exactly these values (CLASS IN, TTL 0).
    public mutating func requireRRset(_ name: DNSName, _ type: DNSRecordType, values: [DNSRecordData]) {
        for value in values {
            prerequisites.append(DNSResourceRecord(name: name, type: type, recordClass: .internet, ttl: 0, data: value))
        }
    }

    /// The RRset exists, whatever its values (CLASS ANY, TTL 0, empty).
    public mutating func requireRRsetExists(_ name: DNSName, _ type: DNSRecordType) {
        prerequisites.append(DNSResourceRecord(name: name, type: type, recordClass: .any, ttl: 0, data: .raw([])))
    }

    /// The RRset does not exist (CLASS NONE, TTL 0, empty).
    public mutating func requireRRsetAbsent(_ name: DNSName, _ type: DNSRecordType) {
        prerequisites.append(DNSResourceRecord(name: name, type: type, recordClass: .none, ttl: 0, data: .raw([])))
    }

    /// Some record exists at the name (TYPE ANY, CLASS ANY).
    public mutating func requireNameInUse(_ name: DNSName) {
        prerequisites.append(DNSResourceRecord(name: name, type: .any, recordClass: .any, ttl: 0, data: .raw([])))
    }

    /// No record exists at the name (TYPE ANY, CLASS NONE).
    public mutating func requireNameNotInUse(_ name: DNSName) {
        prerequisites.append(DNSResourceRecord(name: name, type: .any, recordClass: .none, ttl: 0, data: .raw([])))
    }

    // MARK: Updates (RFC 2136 §2.5)

    /// Deletes the whole RRset (CLASS ANY, TTL 0, RDLENGTH 0).
    public mutating func deleteRRset(_ name: DNSName, _ type: DNSRecordType) {
        updates.append(DNSResourceRecord(name: name, type: type, recordClass: .any, ttl: 0, data: .raw([])))
    }

    /// Deletes every RRset at the name (TYPE ANY, CLASS ANY).
    public mutating func deleteName(_ name: DNSName) {
        updates.append(DNSResourceRecord(name: name, type: .any, recordClass: .any, ttl: 0, data: .raw([])))
    }

    /// Deletes one record (CLASS NONE, TTL 0, with its data).
    public mutating func deleteRecord(_ name: DNSName, _ type: DNSRecordType, data: DNSRecordData) {
        updates.append(DNSResourceRecord(name: name, type: type, recordClass: .none, ttl: 0, data: data))
    }

    /// Adds a record (CLASS IN).
    public mutating func add(_ name: DNSName, _ type: DNSRecordType, ttl: UInt32, data: DNSRecordData) {
        updates.append(DNSResourceRecord(name: name, type: type, recordClass: .internet, ttl: ttl, data: data))
    }

    /// The usual DDNS change: delete the A (or AAAA) RRset at `name` and add `addresses` in its
    /// place, in one atomic message. All addresses must be of one family.
    public mutating func replaceAddresses(of name: DNSName, with addresses: [IPAddress], ttl: UInt32) throws {
        guard let family = addresses.first?.family else {
            throw DNSWireError.invalidAddress("(no address given)")
        }
        if let other = addresses.first(where: { $0.family != family }) {
            throw DNSWireError.invalidAddress("\(other) (mixes IPv4 and IPv6 in one replacement)")
        }
        deleteRRset(name, family.recordType)
        for address in addresses {
            add(name, family.recordType, ttl: ttl, data: family == .ipv4 ? .a(address) : .aaaa(address))
        }
    }

    /// The UPDATE message (opcode 5): zone section = zone SOA IN.
    public var message: DNSMessage {
        DNSMessage(id: id, opcode: .update, questions: [DNSQuestion(name: zone, type: .soa, recordClass: .internet)],
                   answers: prerequisites, authorities: updates)
    }
}
