@testable import DDNS
import Foundation
import Sodium
import Synchronization
import Testing

@Suite("AWS SigV4 signing")
struct SigV4Tests {
    /// AWS SigV4 test suite, "get-vanilla": credentials AKIDEXAMPLE, 2015-08-30T12:36:00Z.
    @Test("matches the get-vanilla vector of AWS's signature test suite")
    func getVanilla() throws {
        let signer = SigV4Signer(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                 region: "us-east-1", service: "service")
        let date = try #require(ISO8601DateFormatter().date(from: "2015-08-30T12:36:00Z"))
        let signed = signer.sign(method: "GET", path: "/", headers: [("Host", "example.amazonaws.com")], body: [], date: date)
        #expect(signed.canonicalRequest == "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(signed.authorization == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    /// AWS documentation, "Examples of how to derive a signing key for Signature Version 4".
    @Test("derives the documented signing key")
    func signingKey() {
        let signer = SigV4Signer(accessKeyID: "", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1", service: "iam")
        #expect(Hex.encode(signer.signingKey(day: "20120215")) == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
    }

    /// Checked against an independent Python implementation of Tencent's published algorithm
    /// (Tencent's own example masks its keys, so there is no public vector).
    @Test("TC3-HMAC-SHA256 signs like Tencent Cloud's algorithm")
    func tc3() {
        let signer = TC3Signer(secretID: "AKIDEXAMPLE", secretKey: "tc-secret-key-1", service: "dnspod")
        let body = Array(#"{"Domain":"example.com","RecordType":"A","Subdomain":"home"}"#.utf8)
        let signed = signer.sign(method: "POST", path: "/", query: "", contentType: "application/json; charset=utf-8",
                                 host: "dnspod.tencentcloudapi.com", body: body, date: Date(timeIntervalSince1970: 1_764_072_000))
        #expect(signed.timestamp == "1764072000")
        #expect(signed.authorization == "TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2025-11-25/dnspod/tc3_request, SignedHeaders=content-type;host, Signature=e0fc96ef7135e0c9e8d2d0018ef916f183a91d638b947ac760beb8eba80dbb9b")
    }

    @Test("a tc3 provider's request carries the signature over its own body and host")
    func tc3Request() async throws {
        let catalog = ProviderCatalog.load(directories: [DDNSTestPaths.providers])
        let provider = try #require(catalog.provider("tencentcloud"))
        let transport = RecordingTransport(reply: DDNSHTTPResponse(status: 200, body: Data(#"{"Response":{"RecordList":[{"RecordId":1,"Value":"203.0.113.7"}]}}"#.utf8)))
        let date = Date(timeIntervalSince1970: 1_764_072_000)
        let adapter = TemplateAdapter(provider: provider, environment: DDNSEnvironment(transport: transport, userAgent: "t", now: { date }))
        let result = await adapter.update(DDNSUpdateRequest(hostname: "home.example.com", ipv4: "203.0.113.7", settings: [
            "secret_id": .plain("AKIDEXAMPLE"), "secret_key": .secret(.inline("tc-secret-key-1")), "zone": .plain("example.com"),
        ]))
        #expect(result.outcome == .nochange)
        let sent = try #require(transport.requests.first)
        #expect(String(decoding: sent.body ?? Data(), as: UTF8.self) == #"{"Domain":"example.com","RecordType":"A","Subdomain":"home"}"#)
        #expect(sent.headers.contains { $0 == ("Authorization", "TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2025-11-25/dnspod/tc3_request, SignedHeaders=content-type;host, Signature=e0fc96ef7135e0c9e8d2d0018ef916f183a91d638b947ac760beb8eba80dbb9b") })
        #expect(sent.headers.filter { $0.0.lowercased() == "content-type" }.count == 1)
    }

    @Test("the Route 53 adapter signs content-type, host and x-amz-date of its request")
    func route53Request() async throws {
        let catalog = ProviderCatalog.load(directories: [DDNSTestPaths.providers])
        let provider = try #require(catalog.provider("route53"))
        let transport = RecordingTransport(reply: DDNSHTTPResponse(status: 200, body: Data("<ChangeInfo><Status>PENDING</Status></ChangeInfo>".utf8)))
        let date = try #require(ISO8601DateFormatter().date(from: "2026-11-25T12:00:00Z"))
        let adapter = Route53Adapter(provider: provider, environment: DDNSEnvironment(transport: transport, userAgent: "t"), now: { date })
        let result = await adapter.update(DDNSUpdateRequest(hostname: "home.example.com", ipv4: "203.0.113.7", settings: [
            "access_key_id": .plain("AKIDEXAMPLE"), "secret_access_key": .secret(.inline("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")),
            "hosted_zone_id": .plain("Z148QEXAMPLE8V"),
        ]))
        #expect(result.outcome == .updated)
        let sent = try #require(transport.requests.first)
        #expect(sent.url == "https://route53.amazonaws.com/2013-04-01/hostedzone/Z148QEXAMPLE8V/rrset")
        let authorization = try #require(sent.headers.first { $0.0 == "Authorization" }?.1)
        let signer = SigV4Signer(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1", service: "route53")
        let expected = signer.sign(method: "POST", path: "/2013-04-01/hostedzone/Z148QEXAMPLE8V/rrset",
                                   headers: [("content-type", "application/xml"), ("host", "route53.amazonaws.com")],
                                   body: Array(sent.body ?? Data()), date: date)
        #expect(authorization == expected.authorization)
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/us-east-1/route53/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="))
        #expect(sent.headers.contains { $0.0 == "X-Amz-Date" && $0.1 == "20261125T120000Z" })
    }
}

/// Answers every request with one reply and keeps the requests (engine tests without sockets).
final class RecordingTransport: DDNSHTTPTransport, Sendable {
    private let state: Mutex<[DDNSHTTPRequest]> = Mutex([])
    let reply: DDNSHTTPResponse

    init(reply: DDNSHTTPResponse) { self.reply = reply }

    var requests: [DDNSHTTPRequest] { state.withLock { $0 } }

    func send(_ request: DDNSHTTPRequest) async throws(DDNSTransportError) -> DDNSHTTPResponse {
        state.withLock { $0.append(request) }
        return reply
    }
}
