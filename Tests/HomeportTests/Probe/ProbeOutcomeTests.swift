import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Probe
import Relay
import Testing

/// The probe against real servers on loopback: homeport's rendezvous server and relay answer
/// (`open`), a port nobody listens on refuses (`closed`), a UDP socket that never answers is
/// silent (`filtered`), and a plain web server on a RustDesk port is `other`. The requests go
/// through `ProbeClient` (URLSession), so the client's decoding is tested too.
@Suite(.serialized) struct ProbeOutcomeTests {
    @Test("homeport's rendezvous server and relay are open, with the protocol check for each port")
    func rendezvousAndRelayAreOpen() async throws {
        let rendezvous = try await RendezvousHarness.start()
        defer { Task { await rendezvous.stop() } }
        try await withRelay { _, relayPort in
            try await ProbeHarness.with { probe in
                let p = rendezvous.port
                let answer = try await ProbeClient(url: probe.baseURL).check(ProbeRequest.rustDeskPorts(rendezvousPort: p, relayPort: relayPort))
                #expect(answer.address.description == "127.0.0.1")
                #expect(answer.ignoredFields == nil)
                for result in answer.results {
                    #expect(result.result == .open, "\(result.transport)/\(result.port) \(result.check.rawValue): \(result.detail)")
                    #expect(result.latencyMilliseconds != nil)
                }
                #expect(answer.results.map(\.port) == [p - 1, p, p, p + 2, relayPort, relayPort + 2])
                #expect(answer.results.map(\.check) == [.natTest, .natTest, .registerPeer, .websocket, .tcpConnect, .websocket])
                #expect(answer.results[2].transport == .udp)
                #expect(answer.results[0].detail.contains("TestNatResponse"))
                #expect(answer.results[2].detail.contains("RegisterPeerResponse"))
            }
        }
    }

    @Test("a port nobody listens on is closed: TCP refused, UDP answered by ICMP port unreachable")
    func unusedPortsAreClosed() async throws {
        let tcp = try await unusedPort()
        let udp = try await unusedPort(udp: true)
        try await ProbeHarness.with { probe in
            let answer = try await ProbeClient(url: probe.baseURL).check([
                .init(port: tcp, check: .tcpConnect), .init(port: tcp, check: .natTest), .init(port: tcp, check: .websocket),
                .init(port: udp, check: .registerPeer),
            ])
            for result in answer.results {
                #expect(result.result == .closed, "\(result.transport)/\(result.port) \(result.check.rawValue): \(result.detail)")
            }
            #expect(answer.results[3].detail.contains("ICMP port unreachable"))
        }
    }

    @Test("a UDP port that receives but never answers is filtered")
    func silentUDPIsFiltered() async throws {
        let silent = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        let port = try #require(silent.localAddress?.port)
        try await ProbeHarness.with({ $0.portTimeout = .milliseconds(600) }) { probe in
            let answer = try await ProbeClient(url: probe.baseURL).check([.init(port: port, check: .registerPeer)])
            let result = try #require(answer.results.first)
            #expect(result.result == .filtered, "\(result.detail)")
            #expect(result.latencyMilliseconds == nil)
        }
    }

    @Test("a plain web server on the port is other: it answers, but not as RustDesk")
    func webServerIsOther() async throws {
        let router = Router()
        router.get("/") { _, _ in "router login page" }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: Logger(label: "web"))
        let web = Task { try await app.run() }
        defer { web.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        try await ProbeHarness.with({ $0.portTimeout = .seconds(2) }) { probe in
            let answer = try await ProbeClient(url: probe.baseURL).check([
                .init(port: port, check: .natTest), .init(port: port, check: .websocket), .init(port: port, check: .tcpConnect),
            ])
            #expect(answer.results[0].result == .other, "\(answer.results[0].detail)")
            #expect(answer.results[1].result == .other, "\(answer.results[1].detail)")
            #expect(answer.results[1].detail.contains("HTTP 200"), "\(answer.results[1].detail)")
            // A bare connect cannot tell who accepted it.
            #expect(answer.results[2].result == .open)
        }
    }

    @Test("over IPv6 the probe tests the requester's IPv6 address")
    func ipv6RequesterIsTested() async throws {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "::1", port: 0).get()
        defer { listener.close(promise: nil) }
        let port = try #require(listener.localAddress?.port)
        try await ProbeHarness.with(host: "::1") { probe in
            // URLSession on Linux cannot use an IPv6-literal URL (see ProbeClient), so by hand.
            let body = #"{"ports": [{"port": \#(port), "check": "tcp_connect"}]}"#
            let request = "POST /v1/check HTTP/1.1\r\nHost: [::1]\r\nConnection: close\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
            let text = try await RawHTTP.exchange(port: probe.port, host: "::1", request: Array(request.utf8), untilClosed: true)
            let json = try #require(text.range(of: "\r\n\r\n").map { Data(text[$0.upperBound...].utf8) }, "\(text)")
            let answer = try JSONDecoder().decode(ProbeAnswer.self, from: json)
            #expect(answer.address.description == "::1")
            #expect(answer.address.family == .ipv6)
            #expect(answer.results.first?.result == .open, "\(answer.results.first?.detail ?? "")")
            await #expect(throws: ProbeClient.Failure.self) {
                try await ProbeClient(url: probe.baseURL).check([.init(port: port, check: .tcpConnect)])
            }
        }
    }
}
