import Config
@testable import DDNS
import Foundation
import Testing

@Suite("DDNS HTTP transport and redaction", .serialized)
struct DDNSTransportTests {
    @Test("a 401 with WWW-Authenticate comes back as 401 instead of hanging (corelibs #5456)")
    func challengeDoesNotHang() async throws {
        let server = try await ReplayHTTPServer()
        server.script([.init(status: 401, headers: [("WWW-Authenticate", "Basic realm=\"x\"")], body: "badauth")])
        let response = try await URLSessionTransport().send(DDNSHTTPRequest(method: "GET", url: server.baseURL + "/nic/update",
                                                                             headers: [("Authorization", "Basic eDp5")], timeout: .seconds(20)))
        #expect(response.status == 401)
        #expect(server.requests.count == 1)
        await server.stop()
    }

    @Test("a server that never answers ends in a timeout, classified retry_later")
    func hangingServerTimesOut() async throws {
        let server = try await ReplayHTTPServer()
        server.script([.init(status: 200, hang: true)])
        let catalog = ProviderCatalog.load(directories: [DDNSTestPaths.providers])
        let adapter = try #require(DDNSAdapterRegistry(catalog: catalog, environment: DDNSEnvironment(timeout: .seconds(1))).adapter(for: "dyndns2"))
        let result = await adapter.update(DDNSUpdateRequest(hostname: "h.example.com", ipv4: "203.0.113.7", settings: [
            "server": .plain(server.baseURL), "username": .plain("u"), "password": .secret(.inline("p4ssword")),
        ]))
        #expect(result.outcome == .retryLater)
        #expect(result.message.contains("timeout"))
        await server.stop()
    }

    @Test("a refused connection is retry_later")
    func connectionRefused() async throws {
        let catalog = ProviderCatalog.load(directories: [DDNSTestPaths.providers])
        let adapter = try #require(DDNSAdapterRegistry(catalog: catalog, environment: DDNSEnvironment(timeout: .seconds(5))).adapter(for: "dyndns2"))
        let result = await adapter.update(DDNSUpdateRequest(hostname: "h.example.com", ipv4: "203.0.113.7", settings: [
            "server": .plain("http://127.0.0.1:1"), "username": .plain("u"), "password": .secret(.inline("p4ssword")),
        ]))
        #expect(result.outcome == .retryLater)
    }

    @Test("secrets never reach the message, even when echoed encoded or in Basic form")
    func redaction() async throws {
        let secret = "S3cr3t+/ key"
        let basic = Data("alice:\(secret)".utf8).base64EncodedString()
        let echoed = "error: password \(secret) / \(PercentEncoding.queryValue(secret)) / \(basic) / \(secret.uppercased())"
        let catalog = ProviderCatalog.load(directories: [DDNSTestPaths.providers])
        let provider = try #require(catalog.provider("dyndns2"))
        let transport = RecordingTransport(reply: DDNSHTTPResponse(status: 200, body: Data(echoed.utf8)))
        let adapter = TemplateAdapter(provider: provider, environment: DDNSEnvironment(transport: transport))
        let result = await adapter.update(DDNSUpdateRequest(hostname: "h.example.com", ipv4: "203.0.113.7", settings: [
            "server": .plain("https://dyn.example.net"), "username": .plain("alice"), "password": .secret(.environment("DYN_PASS")),
        ], environment: ["DYN_PASS": secret]))
        #expect(result.outcome == .error)
        #expect(!result.message.contains(secret))
        #expect(!result.message.contains(PercentEncoding.queryValue(secret)))
        #expect(!result.message.contains(basic))
        #expect(!result.message.lowercased().contains(secret.lowercased()))
        #expect(result.message.contains("<redacted>"))
        // The request itself did carry the credential.
        #expect(transport.requests.first?.headers.contains { $0 == ("Authorization", "Basic \(basic)") } == true)
    }

    @Test("a missing env secret names the variable, never a value, and sends nothing")
    func missingSecret() async throws {
        let catalog = ProviderCatalog.load(directories: [DDNSTestPaths.providers])
        let transport = RecordingTransport(reply: DDNSHTTPResponse(status: 200))
        let adapter = try #require(DDNSAdapterRegistry(catalog: catalog, environment: DDNSEnvironment(transport: transport)).adapter(for: "duckdns"))
        let result = await adapter.update(DDNSUpdateRequest(hostname: "x.duckdns.org", ipv4: "203.0.113.7", settings: ["token": .secret(.environment("NOPE"))]))
        #expect(result.outcome == .hostError)
        #expect(result.message.contains("NOPE"))
        #expect(transport.requests.isEmpty)
    }

    @Test("the excerpt is one short line without control characters")
    func excerpt() {
        let redactor = SecretRedactor(secrets: ["hunter22"])
        let body = Data(("line1\r\nhunter22\u{7}\t" + String(repeating: "x", count: 500)).utf8)
        let text = redactor.excerpt(body, limit: 40)
        #expect(text.hasPrefix("line1 <redacted> xxx"))
        #expect(text.count <= 41)
        #expect(!text.contains("\n"))
    }

    @Test("a secret is found with whitespace inside it, in any of its encodings, and before the excerpt is cut")
    func splitSecrets() {
        let secret = "Ab3/x+Yz9q"
        let redactor = SecretRedactor(secrets: [secret])
        let encoded = PercentEncoding.queryValue(secret)
        for text in ["t=Ab3/x\n+Yz9q.", "t=AB3/X+ YZ9Q.", "t=A\tb\r\n3/x+Yz9 q.", "t=" + encoded.prefix(5) + "\n" + encoded.dropFirst(5) + "."] {
            #expect(redactor.redact(text) == "t=<redacted>.", "\(text.debugDescription)")
        }
        let body = Data((String(repeating: "\n", count: 4090) + secret + " tail").utf8)
        #expect(redactor.excerpt(body) == "<redacted> tail")
    }

    @Test("settings check names unknown and missing settings")
    func settingsCheck() throws {
        let catalog = ProviderCatalog.load(directories: [DDNSTestPaths.providers])
        let provider = try #require(catalog.provider("cloudflare"))
        let problems = ProviderSettingsCheck.problems(provider: provider, settings: ["tokn": .plain("x"), "zone": .plain("example.com")])
        #expect(problems.contains { $0.contains("unknown setting 'tokn'") && $0.contains("did you mean 'token'") })
        #expect(problems.contains { $0.contains("needs setting 'token'") })
    }
}

@Suite("IPv6 host suffix")
struct IPv6HostSuffixTests {
    @Test("the delegated /64 prefix is joined with the suffix")
    func slash64() throws {
        #expect(try IPv6HostSuffix.combine(address: "2001:db8:1:2:aaaa:bbbb:cccc:dddd", suffix: "::1234") == "2001:db8:1:2::1234")
        #expect(try IPv6HostSuffix.combine(address: "2001:db8:1:2::1", suffix: "::a:b:c:d") == "2001:db8:1:2:a:b:c:d")
    }

    @Test("other prefix lengths, including one that splits a byte")
    func otherLengths() throws {
        #expect(try IPv6HostSuffix.combine(address: "2001:db8:1:2ff::1", suffix: "::1:0:0:0:1234", prefixLength: 56) == "2001:db8:1:201::1234")
        #expect(try IPv6HostSuffix.combine(address: "2001:db8:ffff:ffff::", suffix: "::f:0:0:1", prefixLength: 60) == "2001:db8:ffff:fff0:f::1")
        #expect(try IPv6HostSuffix.combine(address: "2001:db8::1", suffix: "::", prefixLength: 128) == "2001:db8::1")
    }

    @Test("bad input is refused with a clear message")
    func badInput() {
        #expect(throws: IPv6HostSuffix.Problem.self) { try IPv6HostSuffix.combine(address: "203.0.113.7", suffix: "::1") }
        #expect(throws: IPv6HostSuffix.Problem.self) { try IPv6HostSuffix.combine(address: "2001:db8::1", suffix: "1234") }
        #expect(throws: IPv6HostSuffix.Problem.self) { try IPv6HostSuffix.combine(address: "2001:db8::1", suffix: "::1", prefixLength: 129) }
        #expect(throws: IPv6HostSuffix.Problem.self) { try IPv6HostSuffix.combine(address: "2001:db8::1", suffix: "1::1") }
    }
}
