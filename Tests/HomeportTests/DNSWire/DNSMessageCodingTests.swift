import DNSWire
import InternetAddress
import Testing

/// Decoding BIND's real messages, and encoding ours so BIND's tools would read them the same.
@Suite struct DNSMessageCodingTests {
    @Test func decodesDigsQueryAndNamedsAnswerWithCompression() throws {
        let query = try DNSMessage(decoding: DNSFixtures.queryA)
        #expect(query.id == 0x34e3)
        #expect(!query.isResponse)
        #expect(query.opcode == .query)
        #expect(query.authenticData)
        #expect(query.questions == [DNSQuestion(name: try DNSName("old.home.test"), type: .a)])

        let answer = try DNSMessage(decoding: DNSFixtures.responseA)
        #expect(answer.isResponse && answer.isAuthoritative && !answer.isTruncated)
        #expect(answer.responseCode == .noError)
        #expect(answer.answers.count == 1)
        #expect(answer.answers[0].name == (try DNSName("OLD.Home.Test.")))
        #expect(answer.answers[0].ttl == 300)
        #expect(answer.answers[0].data == .a(try IPAddress(parsing: "192.0.2.1")))
        #expect(answer.authorities.first?.data == .ns(try DNSName("ns.home.test")))
        #expect(answer.additionals.first?.data.address?.description == "127.0.0.1")
    }

    @Test func decodesSOAFields() throws {
        let answer = try DNSMessage(decoding: DNSFixtures.responseSOA)
        guard case .soa(let soa) = answer.answers.first?.data else {
            Issue.record("no SOA in \(answer.answers)")
            return
        }
        #expect(soa.primaryServer == (try DNSName("ns.home.test.")))
        #expect(soa.responsibleMailbox.description == "admin.home.test.")
        #expect([soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum] == [1, 3600, 600, 86400, 60])
    }

    @Test func encodesAQueryByteForByteLikeDig() throws {
        var query = DNSMessage.query(id: 0x34e3, name: try DNSName("old.home.test."), type: .a, recursionDesired: false)
        query.authenticData = true
        #expect(try query.encode() == DNSFixtures.queryA)
    }

    @Test func everyRecordKindSurvivesARoundTrip() throws {
        let name = try DNSName("x.home.test")
        let message = DNSMessage(
            id: 7, isResponse: true, opcode: .query, isAuthoritative: true, recursionDesired: true, recursionAvailable: true,
            headerResponseCode: 3,
            questions: [DNSQuestion(name: name, type: .any, recordClass: .chaos)],
            answers: [
                DNSResourceRecord(name: name, type: .a, ttl: 1, data: .a(try IPAddress(parsing: "203.0.113.9"))),
                DNSResourceRecord(name: name, type: .aaaa, ttl: 2, data: .aaaa(try IPAddress(parsing: "2001:db8::1"))),
                DNSResourceRecord(name: name, type: .txt, ttl: 3, data: .txt([Array("v=1".utf8), [], Array(repeating: 65, count: 255)])),
                DNSResourceRecord(name: name, type: .cname, ttl: 4, data: .cname(try DNSName("y.home.test"))),
                DNSResourceRecord(name: name, type: DNSRecordType(rawValue: 99), recordClass: .none, ttl: 5, data: .raw([1, 2, 3])),
            ],
            authorities: [DNSResourceRecord(name: name, type: .soa, ttl: 6, data: .soa(DNSSOA(
                primaryServer: try DNSName("ns.home.test"), responsibleMailbox: try DNSName("a.home.test"),
                serial: 9, refresh: 8, retry: 7, expire: 6, minimum: 5)))],
            additionals: [DNSResourceRecord(name: .root, type: .any, recordClass: .any, ttl: 0, data: .raw([]))])
        let decoded = try DNSMessage(decoding: try message.encode())
        #expect(decoded == message)
        #expect(decoded.responseCode == .nameError)
        #expect(decoded.answers[2].data.textStrings?.first == "v=1")
    }

    @Test func extendedResponseCodeComesFromOPT() throws {
        var message = DNSMessage(id: 1, isResponse: true, headerResponseCode: 0)
        message.additionals = [DNSResourceRecord(name: .root, type: .opt, recordClass: DNSClass(rawValue: 1232), ttl: 1 << 24, data: .raw([]))]
        #expect(try DNSMessage(decoding: try message.encode()).responseCode.rawValue == 16)
    }

    @Test func namesCompareWithoutCaseAndParseEscapes() throws {
        #expect(try DNSName("Home.TEST") == DNSName("home.test."))
        #expect(try Set([DNSName("A.b"), DNSName("a.B.")]).count == 1)
        #expect(try DNSName("a\\.b.c").labels.count == 2)
        #expect(try DNSName("a\\.b.c").description == "a\\.b.c.")
        #expect(try DNSName("x\\032y").labels[0] == Array("x y".utf8))
        #expect(try DNSName("host.home.test").isSubdomain(of: DNSName("HOME.test")))
        #expect(try !DNSName("home.test").isSubdomain(of: DNSName("host.home.test")))
        #expect(throws: DNSWireError.self) { try DNSName("a..b") }
        #expect(throws: DNSWireError.self) { try DNSName(String(repeating: "a", count: 64) + ".test") }
        #expect(throws: DNSWireError.self) { try DNSName(Array(repeating: String(repeating: "a", count: 63), count: 4).joined(separator: ".")) }
        #expect(try DNSName(Array(repeating: String(repeating: "a", count: 63), count: 3).joined(separator: ".") + "." + String(repeating: "b", count: 61)).wireFormat.count == 255)
    }

    @Test func serverAddressesMustBeLiterals() throws {
        #expect(try DNSServer("2001:0db8::0001", port: 5353).description == "[2001:db8::1]:5353")
        #expect(throws: DNSExchangeError.self) { try DNSServer("10.1.2") }
        #expect(throws: DNSExchangeError.self) { try DNSServer("fe80::1%eth0") }
        #expect(throws: DNSExchangeError.self) { try DNSServer("ns1.example.net") }
    }

    @Test func updateBuilderWritesTheRFC2136Encodings() throws {
        var update = DNSUpdate(zone: try DNSName("home.test"), id: 0xa5bd)
        try update.replaceAddresses(of: try DNSName("host.home.test"), with: [try IPAddress(parsing: "198.51.100.7")], ttl: 60)
        update.requireNameInUse(try DNSName("host.home.test"))
        let message = try DNSMessage(decoding: try update.message.encode())
        #expect(message.opcode == .update && !message.isResponse)
        #expect(message.zone == DNSQuestion(name: try DNSName("home.test"), type: .soa, recordClass: .internet))
        #expect(message.prerequisites == [DNSResourceRecord(name: try DNSName("host.home.test"), type: .any, recordClass: .any, ttl: 0, data: .raw([]))])
        #expect(message.updates.count == 2)
        #expect(message.updates[0] == DNSResourceRecord(name: try DNSName("host.home.test"), type: .a, recordClass: .any, ttl: 0, data: .raw([])))
        #expect(message.updates[1] == DNSResourceRecord(name: try DNSName("host.home.test"), type: .a, recordClass: .internet, ttl: 60,
                                                        data: .a(try IPAddress(parsing: "198.51.100.7"))))
        // nsupdate's request holds the same zone and updates (it compresses names; we do not).
        let bind = try DNSMessage(decoding: DNSFixtures.nsupdateRequest)
        #expect(bind.zone == message.zone)
        #expect(bind.updates == message.updates)

        var mixed = DNSUpdate(zone: try DNSName("home.test"))
        #expect(throws: DNSWireError.self) {
            try mixed.replaceAddresses(of: try DNSName("h.home.test"), with: [try IPAddress(parsing: "192.0.2.1"), try IPAddress(parsing: "2001:db8::1")], ttl: 60)
        }
    }
}
