import Foundation
import Testing
@testable import RustDeskWire

@Suite struct RustDeskWireKeyTests {
    // docs/rustdesk-protocol.md#signing test vector.
    static let secretBase64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8DoQe/884Qvh1w3RjnS8CZZ+TWMJulDV8d3IZkElUxuA=="
    static let publicBase64 = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="
    static let idPkHex = "0a 09 31 32 33 34 35 36 37 38 39 12 20" + String(repeating: " 11", count: 32)
    static let signatureHex = "f4cb34dbfc530c3fb06ecbfb8dad3b63d15a054f282a7cd8e1551aa25b8bebc6"
        + "421a5c9ffaca8cc33b478c1839899497a8fc46c42da3820558ef2e949e6d1906"

    static func vectorPair() throws -> ServerKeyPair {
        try ServerKeyPair(secretKey: try #require(Data(base64Encoded: secretBase64)).map { $0 })
    }

    @Test func seedGivesTheSpecKeys() throws {
        let fromSeed = try ServerKeyPair.keyPair(seed: Array(0...31))
        #expect(fromSeed.publicKeyBase64 == Self.publicBase64)
        #expect(fromSeed.secretKeyBase64 == Self.secretBase64)
        #expect(try Self.vectorPair() == fromSeed)
    }

    @Test func idPkSerializationIsTheSpec45Bytes() {
        let bytes = IdPkSigning.serializedIdPk(id: "123456789", pk: [UInt8](repeating: 0x11, count: 32))
        #expect(bytes.count == 45)
        #expect(wireHexString(bytes) == wireHexString(wireHex(Self.idPkHex)))
    }

    @Test func signatureMatchesTheVectorAndOpens() throws {
        let pair = try Self.vectorPair()
        let signed = IdPkSigning.signedIdPk(id: "123456789", pk: [UInt8](repeating: 0x11, count: 32), with: pair)
        #expect(signed.count == 109)
        #expect(wireHexString(signed.prefix(64)) == Self.signatureHex)
        #expect(Array(signed.dropFirst(64)) == wireHex(Self.idPkHex))
        #expect(ServerKeyPair.open(signed, publicKey: pair.publicKey) == wireHex(Self.idPkHex))
        // The vector as given in the spec (not our output) opens too, and parses as IdPk.
        let specSigned = wireHex(Self.signatureHex) + wireHex(Self.idPkHex)
        let opened = try #require(ServerKeyPair.open(specSigned, publicKey: pair.publicKey))
        let idPk = try Hbb_IdPk(serializedBytes: opened)
        #expect(idPk.id == "123456789" && idPk.pk == Data(repeating: 0x11, count: 32))
    }

    @Test func openRejectsTamperingWrongKeysAndShortInput() throws {
        let pair = try Self.vectorPair()
        var signed = pair.sign(Array("hello".utf8))
        #expect(ServerKeyPair.open(signed, publicKey: pair.publicKey) == Array("hello".utf8))
        signed[signed.count - 1] ^= 1
        #expect(ServerKeyPair.open(signed, publicKey: pair.publicKey) == nil)
        let other = try ServerKeyPair.generate()
        #expect(ServerKeyPair.open(pair.sign([1, 2, 3]), publicKey: other.publicKey) == nil)
        #expect(ServerKeyPair.open([UInt8](repeating: 0, count: 63), publicKey: pair.publicKey) == nil)
        #expect(ServerKeyPair.open(pair.sign([]), publicKey: Array(pair.publicKey.prefix(31))) == nil)
        #expect(ServerKeyPair.open(pair.sign([]), publicKey: pair.publicKey) == [])
    }

    @Test func secretKeyMustBe64BytesWithAMatchingPublicHalf() throws {
        #expect(throws: ServerKeyError.wrongLength(32)) { try ServerKeyPair(secretKey: Array(0...31)) }
        var tampered = try Self.vectorPair().secretKey
        tampered[40] ^= 0xFF
        #expect(throws: ServerKeyError.publicHalfMismatch) { try ServerKeyPair(secretKey: tampered) }
    }

    @Test func generatedKeysAvoidSlashAndDiffer() throws {
        var seen = Set<String>()
        for _ in 0..<20 {
            let pair = try ServerKeyPair.generate()
            #expect(!pair.publicKeyBase64.contains("/"))
            #expect(pair.publicKeyBase64.count == 44 && pair.secretKeyBase64.count == 88)
            #expect(try ServerKeyPair(secretKey: pair.secretKey) == pair)
            seen.insert(pair.publicKeyBase64)
        }
        #expect(seen.count == 20)
    }

    @Test func printingAKeyPairShowsNoSecret() throws {
        let pair = try Self.vectorPair()
        for text in [String(describing: pair), String(reflecting: pair), "\(pair)"] {
            #expect(!text.contains(Self.secretBase64.prefix(20)))
            #expect(text.contains(Self.publicBase64))
        }
    }
}
