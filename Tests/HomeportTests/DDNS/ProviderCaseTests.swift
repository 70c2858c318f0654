import Config
@testable import DDNS
import Foundation
import Testing

/// Runs every provider's test-case file against a local server that plays the provider's
/// documented answers; the provider is pointed at it with the `server` setting.
@Suite("DDNS provider cases", .serialized)
struct ProviderCaseTests {
    static let catalog = ProviderCatalog.load(directories: [DDNSTestPaths.providers])

    @Test("the shipped provider files pass lint")
    func shippedProvidersLint() {
        #expect(Self.catalog.errors.map(\.description) == [])
        #expect(Self.catalog.names.count >= 4)
    }

    @Test("every provider file has a case file and every case file a provider")
    func everyProviderHasCases() {
        let providers = DDNSTestPaths.providerNames()
        let cases = DDNSTestPaths.caseNames()
        #expect(Set(providers).subtracting(cases).sorted() == [], "provider files without Tests/HomeportTests/DDNS/Cases/<name>.toml")
        #expect(Set(cases).subtracting(providers).sorted() == [], "case files without providers/<name>.toml")
    }

    @Test("provider cases", arguments: DDNSTestPaths.providerNames())
    func providerCases(provider name: String) async throws {
        let file = try ProviderCaseFile(path: DDNSTestPaths.cases + "/\(name).toml")
        let server = try await ReplayHTTPServer()
        let registry = DDNSAdapterRegistry(catalog: Self.catalog,
                                           environment: DDNSEnvironment(transport: URLSessionTransport(), userAgent: "homeport/test tests@example.invalid", timeout: .seconds(10)))
        let adapter = try #require(registry.adapter(for: name), "no adapter for provider \(name)")
        for testCase in file.cases {
            try await run(testCase, provider: name, adapter: adapter, server: server)
        }
        await server.stop()
    }

    private func run(_ testCase: ProviderCaseFile.Case, provider: String, adapter: any DDNSAdapter, server: ReplayHTTPServer) async throws {
        let label = "\(provider) / \(testCase.name)"
        server.script(testCase.exchanges.map(\.reply))
        var settings = testCase.settings
        settings["server"] = .plain(server.baseURL)
        let request = DDNSUpdateRequest(hostname: testCase.hostname, ipv4: testCase.ipv4, ipv6: testCase.ipv6, ttl: testCase.ttl,
                                        settings: settings, environment: testCase.environment)
        let result = await adapter.update(request)
        let seen = server.requests
        #expect(seen.count == testCase.exchanges.count, "\(label): expected \(testCase.exchanges.count) request(s), the provider got \(seen.count): \(seen.map { "\($0.method) \($0.uri)" })")
        for (index, (expected, actual)) in zip(testCase.exchanges, seen).enumerated() {
            let where_ = "\(label), request #\(index + 1)"
            #expect(actual.method == expected.method, "\(where_): method")
            #expect(actual.path == expected.path, "\(where_): path")
            if let query = expected.query { #expect(actual.query == query, "\(where_): query") }
            for (name, value) in expected.headers { #expect(actual.header(name) == value, "\(where_): header \(name)") }
            for name in expected.absentHeaders { #expect(actual.header(name) == nil, "\(where_): header \(name) must be absent") }
            #expect(actual.header("User-Agent") == "homeport/test tests@example.invalid", "\(where_): User-Agent")
            if let body = expected.body { #expect(String(decoding: actual.body, as: UTF8.self) == body, "\(where_): body") }
            if let json = expected.json { #expect(JSONValue.parse(actual.body) == json, "\(where_): JSON body \(String(decoding: actual.body, as: UTF8.self))") }
            if let form = expected.form {
                var fields: [String: String] = [:]
                for pair in String(decoding: actual.body, as: UTF8.self).split(separator: "&") {
                    let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    fields[PercentEncoding.decode(parts[0], plusIsSpace: true)] = parts.count > 1 ? PercentEncoding.decode(parts[1], plusIsSpace: true) : ""
                }
                #expect(fields == form, "\(where_): form body")
            }
        }
        if let outcome = testCase.outcome { #expect(result.outcome == outcome, "\(label): outcome; message: \(result.message)") }
        for (family, outcome) in testCase.outcomes {
            #expect(result.records.first { $0.family == family }?.outcome == outcome, "\(label): \(family.rawValue) outcome (message: \(result.message))")
        }
        if let retry = testCase.retryAfter { #expect(result.retryAfter == retry, "\(label): retry_after") }
        if let text = testCase.messageContains { #expect(result.message.contains(text), "\(label): message \"\(result.message)\" should contain \"\(text)\"") }
        // No secret may reach the message, whatever the server echoed.
        for (name, value) in testCase.settings {
            guard case .secret(let secret) = value, let plain = try? secret.resolve(environment: testCase.environment), plain.count >= 3 else { continue }
            #expect(!result.message.contains(plain), "\(label): secret setting \(name) leaked into the message")
        }
    }
}
