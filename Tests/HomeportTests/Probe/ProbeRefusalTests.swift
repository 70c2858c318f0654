import Foundation
import NIOCore
import NIOPosix
import Probe
import Testing

/// What the probe refuses, and that a hostile client gets an error or a timeout, never a crash:
/// the server keeps answering others afterwards.
@Suite(.serialized) struct ProbeRefusalTests {
    static let onePort = Data(#"{"ports": [{"port": 9, "check": "tcp_connect"}]}"#.utf8)

    @Test("with a token configured, a request without it or with a wrong one gets 401 and no checks")
    func tokenIsRequired() async throws {
        try await ProbeHarness.with({ $0.token = "s3cret-token" }) { probe in
            let missing = try await probe.post(Self.onePort)
            #expect(missing.status == 401)
            #expect(probeErrorText(missing.text)?.contains("needs a token") == true, "\(missing.text)")
            let wrong = try await probe.post(Self.onePort, headers: ["Authorization": "Bearer s3cret-tokeX"])
            #expect(wrong.status == 401)
            #expect(probeErrorText(wrong.text)?.contains("token is wrong") == true, "\(wrong.text)")
            #expect(!wrong.text.contains("s3cret"))
            let longer = try await probe.post(Self.onePort, headers: ["Authorization": "Bearer s3cret-token2"])
            #expect(longer.status == 401)
            let right = try await ProbeClient(url: probe.baseURL, token: "s3cret-token").check([.init(port: 9, check: .tcpConnect)])
            #expect(right.results.count == 1)
            await #expect(throws: ProbeClient.Failure.self) {
                try await ProbeClient(url: probe.baseURL, token: "nope").check([.init(port: 9, check: .tcpConnect)])
            }
        }
    }

    @Test("17 ports get 400 naming the cap of 16; 16 are checked")
    func portCap() async throws {
        try await ProbeHarness.with({ $0.portTimeout = .milliseconds(300) }) { probe in
            let seventeen = try JSONEncoder().encode(ProbeRequest(ports: (1...17).map { .init(port: $0, check: .tcpConnect) }))
            let refused = try await probe.post(seventeen)
            #expect(refused.status == 400)
            #expect(probeErrorText(refused.text)?.contains("at most 16") == true, "\(refused.text)")
            let sixteen = try await ProbeClient(url: probe.baseURL).check((1...16).map { .init(port: $0, check: .tcpConnect) })
            #expect(sixteen.results.map(\.port) == Array(1...16))
        }
    }

    @Test("bad JSON and bad fields get 400 with a sentence saying what is wrong")
    func badRequests() async throws {
        try await ProbeHarness.with({ $0.requestsPerMinute = 60 }) { probe in
            let cases: [(String, String)] = [
                ("{not json", "not"),
                (#"{"ports": "21116"}"#, "'ports' must be a list"),
                (#"{"ports": [{"port": 21116}]}"#, "'ports[0].check' is missing"),
                (#"{"ports": [{"port": 21116, "check": "ping"}]}"#, #"'ports[0].check' must be one of "tcp_connect""#),
                (#"{"ports": [{"port": 70000, "check": "nat_test"}]}"#, "from 1 to 65535"),
                (#"{"ports": []}"#, "'ports' is empty"),
                (#"{"ports": [{"port": 1, "check": "nat_test"}, {"port": 1, "check": "nat_test"}]}"#, "repeats port 1"),
                ("", "not"),
            ]
            for (body, expected) in cases {
                let answer = try await probe.post(Data(body.utf8))
                #expect(answer.status == 400, "\(body): \(answer.status) \(answer.text)")
                #expect(probeErrorText(answer.text)?.contains(expected) == true, "\(body): \(answer.text)")
            }
            // Still serving.
            #expect(try await probe.post(Self.onePort).status == 200)
        }
    }

    @Test("a 1 MB body gets 413, with or without a Content-Length, and the probe keeps serving")
    func hugeBody() async throws {
        try await ProbeHarness.with { probe in
            let huge = Data(repeating: 0x20, count: 1_000_000)
            let answer = try await probe.post(huge)
            #expect(answer.status == 413, "\(answer.text)")
            #expect(probeErrorText(answer.text)?.contains("larger than") == true, "\(answer.text)")
            // Chunked: no Content-Length to refuse up front, so the limit applies while reading.
            let chunked = try await RawHTTP.exchange(port: probe.port, request: RawHTTP.chunkedPost(bytes: 1_000_000))
            #expect(chunked.hasPrefix("HTTP/1.1 413"), "\(chunked.prefix(200))")
            #expect(try await probe.post(Self.onePort).status == 200)
        }
    }

    @Test("more requests than the rate limit allows get 429 with Retry-After")
    func rateLimit() async throws {
        try await ProbeHarness.with({ $0.requestsPerMinute = 2 }) { probe in
            #expect(try await probe.post(Self.onePort).status == 200)
            #expect(try await probe.post(Self.onePort).status == 200)
            let third = try await probe.post(Self.onePort)
            #expect(third.status == 429)
            #expect(probeErrorText(third.text)?.contains("2 a minute") == true, "\(third.text)")
            let retry = third.headers.first { ($0.key as? String)?.lowercased() == "retry-after" }?.value as? String
            #expect(Int(retry ?? "") ?? 0 >= 1, "Retry-After: \(retry ?? "none")")
            await #expect(throws: ProbeClient.Failure.self) {
                try await ProbeClient(url: probe.baseURL).check([.init(port: 9, check: .tcpConnect)])
            }
        }
    }

    /// Two slow clients: one dribbles its headers, one sends them at once and dribbles the body
    /// (Hummingbird's idle timeout alone lets the second go on for as long as it likes).
    @Test("a slowloris client sending its request a byte at a time is cut off; others are served meanwhile",
          arguments: [false, true])
    func slowlorisIsCutOff(dribbleBody: Bool) async throws {
        try await ProbeHarness.with({ $0.requestDeadline = .seconds(1) }) { probe in
            let slow = try await RawHTTP.connect(port: probe.port)
            let headers = "POST /v1/check HTTP/1.1\r\nHost: probe\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n"
            var dribble = Array(headers.utf8)
            if dribbleBody {
                #expect(await slow.send(dribble))
                dribble = Array(String(repeating: " ", count: 200).utf8)
            }
            let start = ContinuousClock.now
            var closedAfter: Duration?
            for (index, byte) in dribble.enumerated() {
                guard await slow.send([byte]) else {
                    closedAfter = ContinuousClock.now - start
                    break
                }
                // Another client is served while the slow one dribbles.
                if index == 3 { #expect(try await probe.post(Self.onePort).status == 200) }
                try await Task.sleep(for: .milliseconds(100))
                if slow.isClosed {
                    closedAfter = ContinuousClock.now - start
                    break
                }
            }
            let after = try #require(closedAfter, "the slow client was never disconnected")
            #expect(after < .seconds(5), "cut off after \(after)")
            #expect(after >= .milliseconds(900), "cut off after \(after), before the 1 s deadline")
            #expect(try await probe.post(Self.onePort).status == 200)
        }
    }
}
