import Foundation
import NIOCore
import NIOPosix
import Probe
import Synchronization
import Testing

/// Which address the probe contacts, seen from the listeners: only the requester's, whatever
/// the request names or its headers claim. Loopback only: 127.0.0.1 asks, 127.0.0.2 is the
/// address the request names.
@Suite(.serialized) struct ProbeTargetTests {
    /// A TCP listener that counts the connections it accepts.
    final class CountingListener: Sendable {
        final class Counter: Sendable {
            let value = Mutex(0)
        }

        let channel: any Channel
        let accepted = Counter()

        init(host: String, port: Int) async throws {
            let accepted = accepted
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .childChannelInitializer { child in
                    accepted.value.withLock { $0 += 1 }
                    return child.close()
                }
                .bind(host: host, port: port).get()
        }

        var count: Int { accepted.value.withLock { $0 } }
    }

    @Test("an address in the body and forged forwarding headers are ignored; only the requester is contacted")
    func onlyTheRequesterIsContacted() async throws {
        let requester = try await CountingListener(host: "127.0.0.1", port: 0)
        let port = try #require(requester.channel.localAddress?.port)
        let named = try await CountingListener(host: "127.0.0.2", port: port)
        defer {
            requester.channel.close(promise: nil)
            named.channel.close(promise: nil)
        }
        try await ProbeHarness.with { probe in
            let body = #"{"address": "127.0.0.2", "target": "127.0.0.2", "ports": [{"port": \#(port), "check": "tcp_connect"}]}"#
            let answer = try await probe.post(Data(body.utf8), headers: [
                "X-Forwarded-For": "127.0.0.2", "Forwarded": "for=127.0.0.2", "X-Real-IP": "127.0.0.2",
            ])
            #expect(answer.status == 200, "\(answer.text)")
            let decoded = try JSONDecoder().decode(ProbeAnswer.self, from: Data(answer.text.utf8))
            #expect(decoded.address.description == "127.0.0.1")
            #expect(decoded.ignoredFields == ["address", "target"])
            #expect(decoded.results.first?.result == .open)
        }
        #expect(await eventually(timeout: .seconds(2)) { requester.count == 1 }, "the requester's listener saw \(requester.count)")
        #expect(named.count == 0, "the named address was contacted \(named.count) times")
    }

    @Test("more requests at once than max_concurrent get 503; the one being checked finishes")
    func concurrencyLimit() async throws {
        let silent = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        let port = try #require(silent.localAddress?.port)
        try await ProbeHarness.with({
            $0.maximumConcurrentRequests = 1
            $0.portTimeout = .seconds(1)
            $0.requestsPerMinute = 60
        }) { probe in
            let slowBody = Data(#"{"ports": [{"port": \#(port), "check": "register_peer"}]}"#.utf8)
            async let slow = probe.post(slowBody)
            try await Task.sleep(for: .milliseconds(300))
            let busy = try await probe.post(ProbeRefusalTests.onePort)
            #expect(busy.status == 503, "\(busy.text)")
            #expect(probeErrorText(busy.text)?.contains("checking 1 requests already") == true, "\(busy.text)")
            #expect(try await slow.status == 200)
            #expect(try await probe.post(ProbeRefusalTests.onePort).status == 200)
        }
    }
}
