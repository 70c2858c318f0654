import Foundation
import Relay
import Rendezvous
import RustDeskWire
import Testing

/// Issue 10, defect 2: one source address cannot take every descriptor of the relay or the
/// rendezvous server; another address is still served. 127.0.0.2 plays the attacker (all of
/// 127/8 is loopback on Linux), 127.0.0.1 the real clients; the cap is set low for the test.
@Suite(.serialized) struct SourceCapTests {
    @Test func relayCapsConnectionsPerSourceAndStillPairsOthers() async throws {
        try await withRelay({ $0.maximumConnectionsPerSource = 6 }) { server, port in
            var held: [RelayTestClient] = []
            for index in 0..<6 {
                held.append(try await RelayTestClient.connect(port: index % 2 == 0 ? port : port + 2, from: "127.0.0.2"))
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(held.allSatisfy { !$0.isClosed }, "up to the cap, connections are accepted")
            let overTCP = try await RelayTestClient.connect(port: port, from: "127.0.0.2")
            let overWS = try await RelayTestClient.connect(port: port + 2, from: "127.0.0.2")
            #expect(await overTCP.waitClosed(), "over the cap on TCP R")
            #expect(await overWS.waitClosed(), "over the cap on WebSocket R+2")
            // Another address pairs and relays as usual.
            let uuid = relayUUID()
            let a = try await RelayTestClient.paired(port: port, from: "127.0.0.1", uuid: uuid)
            let b = try await RelayTestClient.paired(port: port, from: "127.0.0.1", uuid: uuid)
            #expect(await eventually { await server.summary()?.activeSessions == 1 })
            try await a.send(Array("hello".utf8))
            #expect(await b.waitForBytes(5))
            #expect((await server.summary()?.counters.refusedPerSource ?? 0) >= 2)
            // A closed connection frees its place.
            await held[0].close()
            try await Task.sleep(for: .milliseconds(300))
            let again = try await RelayTestClient.connect(port: port, from: "127.0.0.2")
            try await Task.sleep(for: .milliseconds(300))
            #expect(!again.isClosed, "a place freed by a close is usable again")
            for client in held + [overTCP, overWS, a, b, again] { await client.close() }
        }
    }

    @Test func rendezvousCapsConnectionsPerSourceOnEveryTCPPort() async throws {
        let harness = try await RendezvousHarness.start { $0.maximumConnectionsPerSource = 4 }
        defer { Task { await harness.stop() } }
        let port = harness.port
        var held: [RelayTestClient] = []
        for _ in 0..<4 {
            held.append(try await RelayTestClient.connect(port: port, from: "127.0.0.2"))
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(held.allSatisfy { !$0.isClosed })
        for extraPort in [port, port - 1, port + 2] {
            let over = try await RelayTestClient.connect(port: extraPort, from: "127.0.0.2")
            #expect(await over.waitClosed(), "over the cap on \(extraPort - port)")
            await over.close()
        }
        #expect(await RendezvousChild.natTestAnswered(port: port, from: "127.0.0.1"))
        #expect(harness.server.stats.value(.tcpRefusedPerSource) >= 3)
        for client in held { await client.close() }
    }

    /// The real binary: `--max-connections-per-ip` sets the cap, a refused source is logged
    /// once (not once per connection), and the admin status counts every refusal.
    @Test func relayFlagSetsTheCapAndLogsRefusalsOnce() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let relay = try await RelayChild.start(["--max-connections-per-ip", "3"], in: dir)
        var clients: [RelayTestClient] = []
        for _ in 0..<3 { clients.append(try await RelayTestClient.connect(port: relay.port, from: "127.0.0.2")) }
        try await Task.sleep(for: .milliseconds(300))
        var refused: [RelayTestClient] = []
        for _ in 0..<5 { refused.append(try await RelayTestClient.connect(port: relay.port + 2, from: "127.0.0.2")) }
        for client in refused { #expect(await client.waitClosed(), "over the cap of 3") }
        #expect(clients.allSatisfy { !$0.isClosed })
        #expect(await eventually { relay.process.log.contains("refusing connections from 127.0.0.2") }, "log:\n\(relay.process.log)")
        #expect(relay.process.log.components(separatedBy: "refusing connections from").count == 2, "one line for five refusals")
        let status = try #require(try await relay.admin("status") as? [String: Any])
        let counters = try #require(status["counters"] as? [String: Any])
        #expect(counters["refused_per_source"] as? Int == 5)
        let uuid = relayUUID()
        let a = try await RelayTestClient.paired(port: relay.port, uuid: uuid, extra: [1])
        let b = try await RelayTestClient.paired(port: relay.port, uuid: uuid)
        #expect(await b.waitForBytes(1), "127.0.0.1 still pairs")
        for client in clients + refused + [a, b] { await client.close() }
        try await relay.stop()
    }

    @Test(arguments: ["relay", "rendezvous"])
    func capOutsideItsRangeIsAClearError(_ command: String) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        for value in ["0", "65537"] {
            let output = try await Homeport.run([command, "--state-dir", dir.file("state"), "-p", "\(TestPorts.random())", "--max-connections-per-ip", value])
            #expect(output.exitCode != 0)
            #expect(output.stderr.contains("--max-connections-per-ip must be a whole number from 1 to 65536, not '\(value)'"), "stderr: \(output.stderr)")
        }
        let output = try await Homeport.run([command, "--state-dir", dir.file("state"), "-p", "\(TestPorts.random())"],
                                            environment: ["MAX_CONNECTIONS_PER_IP": "many"])
        #expect(output.exitCode != 0)
        #expect(output.stderr.contains("MAX_CONNECTIONS_PER_IP must be a whole number from 1 to 65536, not 'many'"), "stderr: \(output.stderr)")
    }

    @Test func sourceKeysAreIPv4AddressesAndIPv6Slash64s() throws {
        let v4 = PeerAddress.ipv4(192, 0, 2, 1, port: 1)
        #expect(SourceKey(v4) == SourceKey(PeerAddress.ipv4(192, 0, 2, 1, port: 2)))
        #expect(SourceKey(v4) != SourceKey(PeerAddress.ipv4(192, 0, 2, 2, port: 1)))
        let mapped = try #require(PeerAddress.ipv6(bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 192, 0, 2, 1], port: 9))
        #expect(SourceKey(mapped) == SourceKey(v4), "IPv4-mapped IPv6 counts as IPv4")
        let a = try #require(PeerAddress.ipv6(bytes: [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2] + [UInt8](repeating: 7, count: 8), port: 1))
        let b = try #require(PeerAddress.ipv6(bytes: [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2] + [UInt8](repeating: 9, count: 8), port: 1))
        let c = try #require(PeerAddress.ipv6(bytes: [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 3] + [UInt8](repeating: 7, count: 8), port: 1))
        #expect(SourceKey(a) == SourceKey(b), "one /64")
        #expect(SourceKey(a) != SourceKey(c))
        #expect(SourceKey(a).description == "2001:db8:1:2::/64")
        #expect(SourceKey(v4).description == "192.0.2.1")
    }
}
