@testable import Sodium
import Testing

/// Known-answer vectors through the one crypto wrapper every module uses: RFC 4231
/// (HMAC-SHA-256/512), RFC 2202 (HMAC-SHA-1), FIPS 180 (SHA-256), RFC 8032 section 7.1
/// (Ed25519), RFC 7693 appendix A (BLAKE2b). Keys longer than a block included: TSIG secrets
/// and signing keys may be any length.
@Suite struct SodiumTests {
    @Test func hmacSHA256AndSHA512MatchRFC4231() {
        let jefe = Array("Jefe".utf8)
        let question = Array("what do ya want for nothing?".utf8)
        #expect(Hex.encode(HMAC.sha256(key: jefe, message: question)) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(Hex.encode(HMAC.sha512(key: jefe, message: question))
            == "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")
        let longKey = [UInt8](repeating: 0xaa, count: 131)
        let longKeyText = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
        #expect(Hex.encode(HMAC.sha256(key: longKey, message: longKeyText)) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        #expect(Hex.encode(HMAC.sha512(key: longKey, message: longKeyText))
            == "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598")
    }

    /// RFC 2202 section 3, test cases 1, 2, 3, 6 and 7: binary data, a key longer than a block
    /// (hashed first) and a message longer than a block, as every TSIG-signed message is.
    @Test func hmacSHA1MatchesRFC2202() {
        #expect(Hex.encode(HMAC.sha1(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8))) == "b617318655057264e28bc0b6fb378c8ef146be00")
        #expect(Hex.encode(HMAC.sha1(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))) == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
        #expect(Hex.encode(HMAC.sha1(key: [UInt8](repeating: 0xaa, count: 20), message: [UInt8](repeating: 0xdd, count: 50))) == "125d7342b9ac11cd91a39af48aa17b4f63f175d3")
        let longKey = [UInt8](repeating: 0xaa, count: 80)
        #expect(Hex.encode(HMAC.sha1(key: longKey, message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
                == "aa4ae5e15272d00e95705637ce8a3b55ed402112")
        #expect(Hex.encode(HMAC.sha1(key: longKey, message: Array("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data".utf8)))
                == "e8e99d0f45237d786d6bbaa7965c7808bbff1a91")
    }

    @Test func sha256MatchesFIPS180() {
        #expect(Hex.encode(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.encode(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func ed25519MatchesRFC8032() throws {
        // Test 2 of RFC 8032 section 7.1: a one-byte message.
        let seed = bytes("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
        let pair = try #require(Ed25519.keyPair(seed: seed))
        #expect(Hex.encode(pair.publicKey) == "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")
        #expect(pair.secretKey == seed + pair.publicKey)
        let signed = Ed25519.signCombined([0x72], secretKey: pair.secretKey)
        #expect(Hex.encode(signed) == "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
            + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" + "72")
        #expect(Ed25519.openCombined(signed, publicKey: pair.publicKey) == [0x72])
        var forged = signed
        forged[forged.count - 1] ^= 1
        #expect(Ed25519.openCombined(forged, publicKey: pair.publicKey) == nil)
        #expect(Ed25519.openCombined(Array(signed.prefix(63)), publicKey: pair.publicKey) == nil)
        #expect(Ed25519.keyPair(seed: Array(seed.prefix(31))) == nil)
    }

    @Test func randomKeyPairsDifferAndSign() throws {
        let first = try #require(Ed25519.randomKeyPair())
        let second = try #require(Ed25519.randomKeyPair())
        #expect(first.publicKey != second.publicKey)
        let message = Array("hello".utf8)
        #expect(Ed25519.openCombined(Ed25519.signCombined(message, secretKey: first.secretKey), publicKey: first.publicKey) == message)
        #expect(Ed25519.openCombined(Ed25519.signCombined(message, secretKey: first.secretKey), publicKey: second.publicKey) == nil)
    }

    @Test func blake2bMatchesRFC7693() {
        #expect(Hex.encode(BLAKE2b.hash(Array("abc".utf8), length: 64))
            == "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923")
        let key = [UInt8](repeating: 7, count: 32)
        #expect(BLAKE2b.hash(Array("abc".utf8), key: key) != BLAKE2b.hash(Array("abc".utf8)))
        #expect(BLAKE2b.hash([], length: 8).count == 8)
    }

    @Test func constantTimeCompare() {
        #expect(HMAC.equal([1, 2, 3], [1, 2, 3]))
        #expect(!HMAC.equal([1, 2, 3], [1, 2, 4]))
        #expect(!HMAC.equal([1, 2], [1, 2, 3]))
        #expect(HMAC.equal([], []))
    }

    @Test func hexIsLowercase() {
        #expect(Hex.encode([0x00, 0xab, 0xff, 0x10]) == "00abff10")
        #expect(Hex.encode([]) == "")
    }

    private func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16) ?? 0 }
    }
}
