import Foundation
import InternetAddress
import Testing
@testable import PublicIP

@Suite("PublicIP HTTP echo sources")
struct PublicIPHTTPEchoTests {
    func lookup(_ server: EchoReplayServer, _ path: String, style: HTTPEchoEndpoint.Style = .plain, family: IPFamily = .ipv4,
                timeout: Duration = .seconds(5)) async -> SourceAnswer {
        await HTTPEchoSource(endpoint: HTTPEchoEndpoint(url: server.url(path), style: style, family: family), timeout: timeout).lookup()
    }

    @Test("plain, trace and broken answers from a local replay of the echo services")
    func answers() async throws {
        let server = try await EchoReplayServer.start()
        defer { Task { await server.stop() } }

        #expect(await lookup(server, "/plain").usableAddress == ip("203.0.113.7"))
        #expect(await lookup(server, "/plain-crlf").usableAddress == ip("198.51.100.9"))
        #expect(await lookup(server, "/trace", style: .cloudflareTrace).usableAddress == ip("203.0.113.77"))
        #expect(await lookup(server, "/trace-v6", style: .cloudflareTrace, family: .ipv6).usableAddress == ip("2001:db8::77"))
        #expect(await lookup(server, "/v6", family: .ipv6).usableAddress == ip("2001:db8:1::7"))

        // A trace read as plain text is garbage; a trace without ip= has no address.
        #expect(await lookup(server, "/trace").error == .unparsable("fl=29f123"))
        guard case .noAddress? = await lookup(server, "/trace-no-ip", style: .cloudflareTrace).error else {
            Issue.record("trace without ip= must be noAddress")
            return
        }
        let warp = await lookup(server, "/trace-warp", style: .cloudflareTrace)
        #expect(warp.usableAddress == nil)
        #expect(warp.error?.description.contains("WARP") == true)
        guard case .unparsable? = await lookup(server, "/garbage").error else {
            Issue.record("garbage must be unparsable")
            return
        }
        #expect(await lookup(server, "/empty").usableAddress == nil)

        // Wrong family and non-public answers are reported, not used.
        let wrong = await lookup(server, "/v6")
        #expect(wrong.address == ip("2001:db8:1::7"))
        #expect(wrong.error == .wrongFamily(ip("2001:db8:1::7")))
        #expect(await lookup(server, "/plain", family: .ipv6).error == .wrongFamily(ip("203.0.113.7")))
        #expect(await lookup(server, "/private").error == .notPublic(ip("192.168.1.20"), .privateNetwork))
        #expect(await lookup(server, "/cgnat").error == .notPublic(ip("100.64.3.4"), .cgnat))

        // Oversize bodies, announced or chunked, are cut off at the limit.
        #expect(await lookup(server, "/big").error == .bodyTooLarge(limit: 4096))
        #expect(await lookup(server, "/big-chunked").error == .bodyTooLarge(limit: 4096))

        // HTTP errors: status codes; a 401 challenge is refused instead of hanging.
        #expect(await lookup(server, "/error").error == .httpStatus(500))
        #expect(await lookup(server, "/nothing-here").error == .httpStatus(404))
        #expect(await lookup(server, "/unauthorized").error == .unauthorized)
    }

    @Test("a service that never answers ends at the timeout")
    func slow() async throws {
        let server = try await EchoReplayServer.start()
        defer { Task { await server.stop() } }
        let answer = await lookup(server, "/slow", timeout: .milliseconds(500))
        #expect(answer.error == .timeout)
        #expect(answer.latency >= .milliseconds(400), "gave up at \(answer.latency), before the timeout")
    }

    @Test("a closed port is a transport error")
    func refused() async throws {
        let server = try await EchoReplayServer.start()
        let port = server.port
        await server.stop()
        let answer = await HTTPEchoSource(endpoint: HTTPEchoEndpoint(url: URL(string: "http://127.0.0.1:\(port)/plain")!, family: .ipv4),
                                          timeout: .seconds(5)).lookup()
        guard case .transport? = answer.error else {
            Issue.record("expected a transport error, got \(String(describing: answer.error))")
            return
        }
    }

    @Test("the production wiring: configured HTTP endpoints, agreement and disagreement, no DNS without a resolver")
    func detectorOverHTTP() async throws {
        let server = try await EchoReplayServer.start()
        defer { Task { await server.stop() } }
        var settings = DetectionSettings()
        settings.httpSourcesIPv4 = [HTTPEchoEndpoint(url: server.url("/plain"), family: .ipv4),
                                    HTTPEchoEndpoint(url: server.url("/plain2"), family: .ipv4)]
        settings.httpSourcesIPv6 = [HTTPEchoEndpoint(url: server.url("/v6"), family: .ipv6),
                                    HTTPEchoEndpoint(url: server.url("/trace-v6"), style: .cloudflareTrace, family: .ipv6)]
        settings.hopProbeTarget = nil
        let detector = PublicIPDetector(settings: settings, hopProbe: nil, interfaceAddresses: { [] })
        let report = await detector.detect()
        #expect(report.ipv4.status == .agreed)
        #expect(report.ipv4.address == ip("203.0.113.7"))
        #expect(report.ipv4.agreeingSources == ["127.0.0.1/plain", "127.0.0.1/plain2"])
        #expect(report.ipv6.status == .disagreement)
        #expect(report.ipv6.votes.map(\.address) == [ip("2001:db8:1::7"), ip("2001:db8::77")])
        #expect(report.echoRequests == 4)
        #expect(report.sources.filter { $0.kind == .interface }.count == 2)
        #expect(report.sources.allSatisfy { $0.kind != .dns })
    }

    @Test("default endpoints are family-specific and named for reports")
    func defaults() {
        #expect(HTTPEchoEndpoint.defaultIPv4.count == 4)
        #expect(HTTPEchoEndpoint.defaultIPv6.count == 3)
        #expect(HTTPEchoEndpoint.defaultIPv4.allSatisfy { $0.family == .ipv4 })
        #expect(HTTPEchoEndpoint.defaultIPv6.map(\.name) == ["api6.ipify.org", "ipv6.icanhazip.com", "v6.ident.me"])
        // FoundationNetworking on Linux refuses IPv6-literal hosts: such a default never answers.
        let all = HTTPEchoEndpoint.defaultIPv4 + HTTPEchoEndpoint.defaultIPv6
        #expect(all.allSatisfy { !($0.url.host ?? "").contains(":") && !$0.url.absoluteString.contains("://[") })
        #expect(HTTPEchoEndpoint.defaultIPv4[2].style == .cloudflareTrace)
    }

    @Test("DNS answers: A/AAAA addresses or TXT strings")
    func dnsParsing() {
        #expect(DNSEchoSource.answer(from: [.address("203.0.113.8")], family: .ipv4, latency: .zero).usableAddress == ip("203.0.113.8"))
        #expect(DNSEchoSource.answer(from: [.text("\"2001:db8::8\"")], family: .ipv6, latency: .zero).usableAddress == ip("2001:db8::8"))
        #expect(DNSEchoSource.answer(from: [], family: .ipv4, latency: .zero).usableAddress == nil)
        #expect(DNSEchoSource.answer(from: [.text("nonsense")], family: .ipv4, latency: .zero).error == .unparsable("nonsense"))
        #expect(DNSEchoSource.answer(from: [.text("nonsense"), .address("203.0.113.9")], family: .ipv4, latency: .zero).usableAddress
                == ip("203.0.113.9"))
    }

    @Test("DNS source uses the injected resolver and reports its errors")
    func dnsSource() async {
        struct Resolver: DNSEchoResolver {
            func answers(to question: DNSEchoQuestion, timeout: Duration) async throws -> [DNSEchoAnswer] {
                if question.recordClass == .chaos { throw TestFailure("REFUSED") }
                return question.type == .a ? [.address("203.0.113.44")] : [.address("2001:db8::44")]
            }
        }
        let sources = DNSEchoSource.defaults(resolver: Resolver(), family: .ipv4)
        #expect(sources.map(\.question.name) == ["myip.opendns.com", "whoami.cloudflare"])
        #expect(await sources[0].lookup().usableAddress == ip("203.0.113.44"))
        #expect(await sources[1].lookup().error == .transport("REFUSED"))
        let v6 = DNSEchoSource.defaults(resolver: Resolver(), family: .ipv6)
        #expect(await v6[0].lookup().usableAddress == ip("2001:db8::44"))
    }
}
