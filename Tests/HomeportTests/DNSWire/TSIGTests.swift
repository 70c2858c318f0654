import DNSWire
import Testing

/// TSIG against what BIND computed: nsupdate's signed request and named's signed answer.
@Suite struct TSIGTests {
    let key: TSIGKey

    init() throws {
        key = try TSIGKey(name: "homeport-key", algorithm: "hmac-sha256", secret: DNSFixtures.secret)
    }

    @Test func verifiesTheRequestNsupdateSigned() throws {
        let message = try TSIG.verifyRequest(DNSFixtures.nsupdateRequest, key: key, now: DNSFixtures.timeSigned + 10)
        #expect(message.opcode == .update)
        #expect(message.tsig?.data.fudge == 300)
    }

    @Test func signingTheSameBytesAtTheSameTimeGivesNsupdatesMAC() throws {
        var unsigned = Array(DNSFixtures.nsupdateRequest.prefix(DNSFixtures.nsupdateTSIGOffset))
        unsigned[10] = 0
        unsigned[11] = 0
        let signed = try TSIG.sign(bytes: unsigned, with: key, timeSigned: DNSFixtures.timeSigned, fudge: 300)
        #expect(signed.bytes == DNSFixtures.nsupdateRequest)
        #expect(signed.requestMAC == (try DNSMessage(decoding: DNSFixtures.nsupdateRequest)).tsig?.data.mac)
    }

    @Test func verifiesNamedsSignedAnswer() throws {
        let request = try TSIGSignedMessage(signedBytes: DNSFixtures.nsupdateRequest, key: key)
        let answer = try TSIG.verifyResponse(DNSFixtures.namedUpdateResponse, to: request, now: DNSFixtures.timeSigned)
        #expect(answer.isResponse && answer.opcode == .update && answer.responseCode == .noError)
    }

    @Test func aChangedAnswerOrAnotherSecretFailsVerification() throws {
        let request = try TSIGSignedMessage(signedBytes: DNSFixtures.nsupdateRequest, key: key)
        var altered = DNSFixtures.namedUpdateResponse
        altered[3] = 0x05  // NOERROR -> REFUSED
        #expect(throws: TSIGError.badSignature) {
            try TSIG.verifyResponse(altered, to: request, now: DNSFixtures.timeSigned)
        }
        let other = try TSIGKey(name: "homeport-key", secret: "b3RoZXItc2VjcmV0")
        let otherRequest = try TSIGSignedMessage(signedBytes: DNSFixtures.nsupdateRequest, key: other)
        #expect(throws: TSIGError.badSignature) {
            try TSIG.verifyResponse(DNSFixtures.namedUpdateResponse, to: otherRequest, now: DNSFixtures.timeSigned)
        }
        let renamed = try TSIGKey(name: "other-key", secret: DNSFixtures.secret)
        #expect(throws: TSIGError.self) {
            try TSIG.verifyResponse(DNSFixtures.namedUpdateResponse, to: try TSIGSignedMessage(signedBytes: DNSFixtures.nsupdateRequest, key: renamed),
                                    now: DNSFixtures.timeSigned)
        }
    }

    @Test func anAnswerSignedOutsideTheFudgeIsClockSkew() throws {
        let request = try TSIGSignedMessage(signedBytes: DNSFixtures.nsupdateRequest, key: key)
        #expect(throws: TSIGError.timeOutsideFudge(signed: DNSFixtures.timeSigned, local: DNSFixtures.timeSigned + 301, fudge: 300)) {
            try TSIG.verifyResponse(DNSFixtures.namedUpdateResponse, to: request, now: DNSFixtures.timeSigned + 301)
        }
    }

    @Test func unsignedAnswerAndServerRejectionsAreReported() throws {
        let signed = try TSIG.sign(DNSMessage.query(id: 9, name: try DNSName("home.test"), type: .soa), with: key)
        var unsigned = DNSMessage(id: 9, isResponse: true, headerResponseCode: 5)
        #expect(throws: TSIGError.unsigned(responseCode: .refused)) {
            try TSIG.verifyResponse(try unsigned.encode(), to: signed)
        }
        // BIND's BADKEY answer: NOTAUTH with a TSIG record carrying error 17 and no MAC.
        unsigned.headerResponseCode = 9
        unsigned.additionals = [DNSResourceRecord(name: key.name, type: .tsig, recordClass: .any, ttl: 0, data: .tsig(TSIGRecordData(
            algorithm: try DNSName("hmac-sha256"), timeSigned: TSIG.currentTime(), fudge: 300, mac: [], originalID: 9,
            error: .badKey, otherData: [])))]
        #expect(throws: TSIGError.serverRejected(.badKey, headerResponseCode: .notAuth, serverTime: nil)) {
            try TSIG.verifyResponse(try unsigned.encode(), to: signed)
        }
        #expect(try DNSMessage(decoding: unsigned.encode()).responseCode == .badKey)
    }

    @Test func signAndVerifyRoundTripWithSHA512() throws {
        let key512 = try TSIGKey(name: "k512.", algorithm: "HMAC-SHA512.", secret: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==")
        #expect(key512.algorithm == .hmacSHA512)
        let signed = try TSIG.sign(DNSMessage.query(id: 4, name: try DNSName("home.test"), type: .soa), with: key512, timeSigned: 1_000_000)
        let request = try TSIG.verifyRequest(signed.bytes, key: key512, now: 1_000_100)
        #expect(request.tsig?.data.mac.count == 64)
        #expect(request.tsig?.data.algorithm == (try DNSName("hmac-sha512")))
    }

    @Test func theSecretAppearsInNoDescription() throws {
        let texts = [key.description, String(describing: key), String(reflecting: key), "\(key)", "\([key])"]
        var dumped = ""
        dump(key, to: &dumped)
        for text in texts + [dumped] {
            #expect(!text.contains(DNSFixtures.secret))
            #expect(!text.contains("secret-secret"))
        }
        #expect(key.description.contains("homeport-key"))
    }

    @Test func badKeysAreRejectedWithoutEchoingTheSecret() {
        #expect(throws: TSIGKeyError.unsupportedAlgorithm("hmac-md5.sig-alg.reg.int")) {
            try TSIGKey(name: "k", algorithm: "hmac-md5.sig-alg.reg.int", secret: DNSFixtures.secret)
        }
        do {
            _ = try TSIGKey(name: "k", secret: "not*base64!")
            Issue.record("accepted a bad secret")
        } catch {
            #expect(!"\(error)".contains("not*base64!"))
        }
    }

    @Test func readsABindKeyFileFromTsigKeygen() throws {
        let text = """
        key "homeport-key" {
        \talgorithm hmac-sha256;
        \tsecret "\(DNSFixtures.secret)";
        };
        """
        let parsed = try TSIGKey.parseBindKeyFile(text)
        #expect(parsed == key)
        #expect(throws: TSIGKeyError.self) { try TSIGKey.parseBindKeyFile("key \"x\" {\n algorithm hmac-sha256;\n};") }
    }
}
