@testable import DNSWire
import Testing

/// HMAC against the RFC 4231 (SHA-256/512) and RFC 2202 (SHA-1) test vectors, including keys
/// longer than a block (TSIG secrets may be any length).
@Suite struct HMACTests {
    @Test func sha256AndSha512MatchRFC4231() {
        let jefe = Array("Jefe".utf8)
        let question = Array("what do ya want for nothing?".utf8)
        #expect(HMAC.sha256(key: jefe, message: question) == dnsBytes("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"))
        #expect(HMAC.sha512(key: jefe, message: question) == dnsBytes(
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"))
        let longKey = [UInt8](repeating: 0xaa, count: 131)
        let longKeyText = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
        #expect(HMAC.sha256(key: longKey, message: longKeyText) == dnsBytes("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"))
        #expect(HMAC.sha512(key: longKey, message: longKeyText) == dnsBytes(
            "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"))
    }

    @Test func sha1MatchesFIPSAndRFC2202() {
        #expect(SHA1.hash(Array("abc".utf8)) == dnsBytes("a9993e364706816aba3e25717850c26c9cd0d89d"))
        #expect(SHA1.hash([]) == dnsBytes("da39a3ee5e6b4b0d3255bfef95601890afd80709"))
        #expect(SHA1.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)) == dnsBytes("84983e441c3bd26ebaae4aa1f95129e5e54670f1"))
        #expect(SHA1.hmac(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8)) == dnsBytes("b617318655057264e28bc0b6fb378c8ef146be00"))
        #expect(SHA1.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)) == dnsBytes("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"))
        #expect(SHA1.hmac(key: [UInt8](repeating: 0xaa, count: 80), message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
                == dnsBytes("aa4ae5e15272d00e95705637ce8a3b55ed402112"))
    }

    @Test func constantTimeCompare() {
        #expect(HMAC.equal([1, 2, 3], [1, 2, 3]))
        #expect(!HMAC.equal([1, 2, 3], [1, 2, 4]))
        #expect(!HMAC.equal([1, 2], [1, 2, 3]))
    }
}
