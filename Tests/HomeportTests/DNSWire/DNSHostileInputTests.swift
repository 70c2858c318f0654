import DNSWire
import Testing

/// Malformed bytes are rejected with an error that says what was wrong — never a crash.
@Suite struct DNSHostileInputTests {
    static let header1Question = "0001 0100 0001 0000 0000 0000"

    static func decodeError(_ hex: String) -> DNSWireError? {
        do {
            _ = try DNSMessage(decoding: dnsBytes(hex))
            return nil
        } catch let error as DNSWireError {
            return error
        } catch {
            return nil
        }
    }

    @Test func truncatedHeader() {
        guard case .truncated(let field, _, _)? = Self.decodeError("0001 0100 0001") else {
            Issue.record("no truncation error")
            return
        }
        #expect(field.contains("header"))
    }

    @Test func emptyInput() {
        #expect(Self.decodeError("") != nil)
    }

    @Test func compressionPointerToItself() {
        guard case .badPointer(let offset, let target, let reason)? = Self.decodeError(Self.header1Question + "c00c 0001 0001") else {
            Issue.record("pointer loop not reported")
            return
        }
        #expect(offset == 12 && target == 12)
        #expect(reason.contains("loop"))
    }

    @Test func compressionPointersInACycle() {
        // Name at 12: label "a" then pointer to 17; at 17: pointer back to 12.
        let error = Self.decodeError(Self.header1Question + "0161 c011 00 c00c 0001 0001")
        guard case .badPointer? = error else {
            Issue.record("cycle not reported: \(String(describing: error))")
            return
        }
    }

    @Test func forwardPointer() {
        guard case .badPointer? = Self.decodeError(Self.header1Question + "c020 0001 0001" + String(repeating: "00", count: 30)) else {
            Issue.record("forward pointer accepted")
            return
        }
    }

    @Test func pointerPastTheEnd() {
        #expect(Self.decodeError(Self.header1Question + "c0") != nil)
    }

    @Test func labelLongerThan63() {
        // 0x40 and 0x80 are the reserved label types: a length byte of 64 cannot be a label.
        guard case .badLabel(let offset, let reason)? = Self.decodeError(Self.header1Question + "40" + String(repeating: "61", count: 64) + "00 0001 0001") else {
            Issue.record("long label accepted")
            return
        }
        #expect(offset == 12)
        #expect(reason.contains("63"))
    }

    @Test func nameLongerThan255() {
        let label = "3f" + String(repeating: "61", count: 63)
        guard case .nameTooLong(let length)? = Self.decodeError(Self.header1Question + String(repeating: label, count: 5) + "00 0001 0001") else {
            Issue.record("long name accepted")
            return
        }
        #expect(length > 255)
    }

    @Test func nameTooLongThroughPointers() {
        // Four 63-byte labels reached through a pointer chain still count toward 255.
        let label = "3f" + String(repeating: "61", count: 63)
        // First name: two labels, root (offset 12..141). Question name: two labels + pointer to 12.
        let hex = "0001 0100 0001 0001 0000 0000" + label + label + "00 0001 0001"
            + label + label + "c00c 0001 0001 00000000 0000"
        #expect(Self.decodeError(hex) != nil)
    }

    @Test func labelRunsPastTheEnd() {
        guard case .truncated(let field, _, _)? = Self.decodeError(Self.header1Question + "08 61626364") else {
            Issue.record("truncated label accepted")
            return
        }
        #expect(field.contains("question name"))
    }

    @Test func rdlengthPastTheEnd() {
        let hex = "0001 8100 0000 0001 0000 0000" + "00 0001 0001 0000003c 0010 c0000201"
        guard case .truncated(let field, _, _)? = Self.decodeError(hex) else {
            Issue.record("rdlength past end accepted")
            return
        }
        #expect(field.contains("RDLENGTH"))
    }

    @Test func addressRecordOfTheWrongLength() {
        let hex = "0001 8100 0000 0001 0000 0000" + "00 0001 0001 0000003c 0003 c00002"
        guard case .badRData(let type, _, let reason)? = Self.decodeError(hex) else {
            Issue.record("3-byte A accepted")
            return
        }
        #expect(type == "A" && reason.contains("expected 4"))
    }

    @Test func nameInsideRDataMayNotRunPastRDLENGTH() {
        // CNAME with RDLENGTH 2 whose name needs 5 bytes.
        let hex = "0001 8100 0000 0001 0000 0000" + "00 0005 0001 0000003c 0002 03616263 00"
        #expect(Self.decodeError(hex) != nil)
    }

    @Test func soaWithMissingFields() {
        let hex = "0001 8100 0000 0001 0000 0000" + "00 0006 0001 0000003c 0006 00 00 00000001"
        guard case .truncated(let field, _, _)? = Self.decodeError(hex) else {
            Issue.record("short SOA accepted")
            return
        }
        #expect(field.contains("SOA"))
    }

    @Test func countsLargerThanTheData() {
        guard case .truncated(let field, _, _)? = Self.decodeError("0001 8100 ffff ffff ffff ffff 00") else {
            Issue.record("huge counts accepted")
            return
        }
        #expect(field.contains("header counts"))
        #expect(Self.decodeError("0001 8100 0002 0000 0000 0000 00 0001 0001") != nil)
    }

    @Test func trailingGarbage() {
        #expect(Self.decodeError(Self.header1Question + "00 0001 0001 dead") == .trailingBytes(count: 2))
    }

    @Test func shortTSIGRecord() {
        let hex = "0001 8100 0000 0000 0000 0001" + "00 00fa 00ff 00000000 0004 00 000000"
        #expect(Self.decodeError(hex) != nil)
    }

    @Test func everyPrefixOfARealAnswerFailsCleanly() {
        for fixture in [DNSFixtures.responseA, DNSFixtures.responseSOA, DNSFixtures.nsupdateRequest] {
            for length in 0..<fixture.count {
                #expect(throws: DNSWireError.self) { try DNSMessage(decoding: Array(fixture.prefix(length))) }
            }
        }
    }

    @Test func everySingleByteCorruptionIsHandled() {
        // Flip each byte to each of a few values: decoding must return or throw, not trap.
        var decoded = 0
        for index in DNSFixtures.responseSOA.indices {
            for value: UInt8 in [0x00, 0x3f, 0x40, 0xc0, 0xff] {
                var bytes = DNSFixtures.responseSOA
                bytes[index] = value
                if (try? DNSMessage(decoding: bytes)) != nil { decoded += 1 }
            }
        }
        #expect(decoded > 0)
    }

    @Test func errorsDescribeThemselves() {
        let error = Self.decodeError(Self.header1Question + "c00c 0001 0001")
        #expect(error?.description.contains("compression pointer at byte 12") == true)
    }
}
