import Foundation
import NIOCore
import Relay
import RustDeskWire
import Testing

/// The relay's pairing and forwarding (docs/rustdesk-protocol.md#relay, #conformance-checklist 44 and 51) over real loopback
/// sockets against an in-process `RelayServer`.
extension RelayBulkTests {
@Suite(.serialized) struct RelayForwardingTests {
    /// Checklist 44: bytes each side wrote after its RequestRelay, including those written
    /// while the first side was still waiting (more than the 64 KiB the relay holds itself),
    /// arrive first, verbatim and in order, followed by everything sent later.
    @Test func earlyBytesFromBothSidesAreDeliveredFirstAndInOrder() async throws {
        try await withRelay { server, port in
            let uuid = relayUUID()
            let big = TestStream(seed: 7).prefix(200_000)
            let a = try await RelayTestClient.paired(port: port, from: "127.0.0.2", uuid: uuid, extra: Array("A1|".utf8))
            try await a.send(Array("A2|".utf8))
            try await a.send(big)
            #expect(await eventually { await server.summary()?.waiting == 1 }, "A waits for its partner")
            let b = try await RelayTestClient.paired(port: port, from: "127.0.0.3", uuid: uuid, extra: Array("B1|".utf8))
            try await b.send(Array("B2|".utf8))
            let fromA = Array("A1|A2|".utf8) + big
            #expect(await b.waitForBytes(fromA.count))
            #expect(await a.waitForBytes(6))
            try await a.send(Array("A3".utf8))
            try await b.send(Array("B3".utf8))
            #expect(await b.waitForBytes(fromA.count + 2))
            #expect(await a.waitForBytes(8))
            try await Task.sleep(for: .milliseconds(200))
            #expect(b.received == fromA + Array("A3".utf8))
            #expect(a.received == Array("B1|B2|B3".utf8))
            let summary = try #require(await server.summary())
            #expect(summary.counters.paired == 1)
            #expect(summary.activeSessions == 1)
            #expect(summary.waiting == 0)
            await a.close()
            await b.close()
        }
    }

    /// The main acceptance: 64 MiB each way at once (A starting before B arrives),
    /// each stream compared with its regenerated original; both sides half-close at the end
    /// and must still receive every byte.
    @Test(.timeLimit(.minutes(2))) func sixtyFourMiBBothWaysArriveIntact() async throws {
        try await withRelay({ $0.singleBandwidth = 100_000; $0.totalBandwidth = 100_000 }) { server, port in
            let size = 64 << 20
            let streamA = TestStream(seed: 0xA11CE), streamB = TestStream(seed: 0xB0B)
            let uuid = relayUUID()
            let a = try await RelayTestClient.paired(port: port, from: "127.0.0.2", uuid: uuid, verifying: streamB)
            a.startStream(streamA, total: size, shutdownAfter: true)
            let b = try await RelayTestClient.paired(port: port, from: "127.0.0.3", uuid: uuid, verifying: streamA)
            b.startStream(streamB, total: size, shutdownAfter: true)
            let done = await eventually(timeout: .seconds(60), every: .milliseconds(50)) { a.isClosed && b.isClosed }
            let summary = await server.summary()
            #expect(done, "a: \(a.debugState), b: \(b.debugState), relay: \(String(describing: summary))")
            #expect(a.sentCount == size)
            #expect(b.sentCount == size)
            #expect(b.receivedCount == size)
            #expect(a.receivedCount == size)
            #expect(b.firstMismatch == nil)
            #expect(a.firstMismatch == nil)
            #expect(await eventually { await server.summary()?.activeSessions == 0 }, "both ends closed: the session is over")
            #expect(await server.summary()?.counters.bytesRelayed == Int64(2 * size))
            await a.close()
            await b.close()
        }
    }

    /// Half-close: EOF from one side becomes EOF on the other while the opposite direction
    /// keeps working; the second EOF ends the session.
    @Test func halfCloseIsPassedOnAndTheOtherDirectionKeepsWorking() async throws {
        try await withRelay { server, port in
            let uuid = relayUUID()
            let a = try await RelayTestClient.paired(port: port, from: "127.0.0.2", uuid: uuid)
            let b = try await RelayTestClient.paired(port: port, from: "127.0.0.3", uuid: uuid)
            try await a.send(Array("last words".utf8))
            try await a.shutdownOutput()
            #expect(await eventually { b.sawEOF })
            #expect(b.received == Array("last words".utf8))
            #expect(!b.isInactive)
            #expect(!a.isClosed, "A's input must stay open")
            let reply = TestStream(seed: 3).prefix(300_000)
            try await b.send(reply)
            #expect(await a.waitForBytes(reply.count))
            #expect(a.received == reply)
            #expect(!a.sawEOF)
            try await b.shutdownOutput()
            #expect(await eventually { a.isClosed })
            #expect(await eventually { await server.summary()?.activeSessions == 0 })
            await a.close()
            await b.close()
        }
    }

    /// Half-close with data still queued in the relay: B has already said goodbye (its EOF was
    /// passed to A) and is not reading; A then sends its data and closes its output. Every
    /// byte A sent must reach B before B sees the end of the stream, whether A's EOF reaches
    /// the relay while the data is still queued (small payloads) or after B drained it.
    @Test(arguments: [256 << 10, 1 << 20, 4 << 20, 8 << 20])
    func halfCloseAfterThePartnersEOFStillDeliversEverythingQueued(size: Int) async throws {
        try await withRelay({ $0.singleBandwidth = 100_000; $0.totalBandwidth = 100_000 }) { _, port in
            let stream = TestStream(seed: UInt64(size))
            let uuid = relayUUID()
            let a = try await RelayTestClient.paired(port: port, from: "127.0.0.2", uuid: uuid)
            let b = try await RelayTestClient.paired(port: port, from: "127.0.0.3", uuid: uuid, verifying: stream, paused: true)
            try await b.send(Array("bye".utf8))
            try await b.shutdownOutput()
            #expect(await eventually { a.sawEOF })
            #expect(a.received == Array("bye".utf8))
            a.startStream(stream, total: size, shutdownAfter: true)
            // Until A has sent everything and closed, or stalls on the full buffers.
            _ = await eventually(timeout: .seconds(5)) {
                if a.isInactive { return true }
                let before = a.sentCount
                try? await Task.sleep(for: .milliseconds(200))
                return a.sentCount == before
            }
            try await Task.sleep(for: .milliseconds(200))
            #expect(b.receivedCount == 0, "B has not read yet")
            b.setReading(true)
            #expect(await eventually(timeout: .seconds(30)) { b.isClosed })
            #expect(a.sentCount == size)
            #expect(b.receivedCount == size, "B got \(b.receivedCount) of \(size) bytes before the end of the stream")
            #expect(b.firstMismatch == nil)
            await a.close()
            await b.close()
        }
    }

    /// A third connection presenting the uuid of a running session does not get into it: it
    /// waits on its own (and would pair only with a fourth), sees none of the session's bytes,
    /// and the session carries on untouched.
    @Test func aThirdConnectionWithTheSameUUIDCannotJoinARunningSession() async throws {
        try await withRelay { server, port in
            let uuid = relayUUID()
            let a = try await RelayTestClient.paired(port: port, from: "127.0.0.2", uuid: uuid)
            let b = try await RelayTestClient.paired(port: port, from: "127.0.0.3", uuid: uuid)
            try await a.send(Array("ping".utf8))
            #expect(await b.waitForBytes(4))
            let intruder = try await RelayTestClient.paired(port: port, from: "127.0.0.9", uuid: uuid, extra: Array("let me in".utf8))
            #expect(await eventually { await server.summary()?.waiting == 1 })
            try await a.send(Array("secret-a".utf8))
            try await b.send(Array("secret-b".utf8))
            #expect(await b.waitForBytes(12))
            #expect(await a.waitForBytes(8))
            try await Task.sleep(for: .milliseconds(300))
            #expect(intruder.receivedCount == 0)
            #expect(b.received == Array("pingsecret-a".utf8))
            #expect(a.received == Array("secret-b".utf8))
            // A fourth connection with that uuid pairs with the intruder, not with A or B.
            let fourth = try await RelayTestClient.paired(port: port, from: "127.0.0.10", uuid: uuid)
            #expect(await fourth.waitForBytes(9))
            #expect(fourth.received == Array("let me in".utf8))
            try await Task.sleep(for: .milliseconds(200))
            #expect(a.received == Array("secret-b".utf8))
            #expect(b.received == Array("pingsecret-a".utf8))
            let summary = try #require(await server.summary())
            #expect(summary.counters.paired == 2)
            #expect(summary.activeSessions == 2)
            for client in [a, b, intruder, fourth] { await client.close() }
        }
    }

    /// Checklist 51: the relay never sends anything of its own: not to a waiting connection,
    /// not on pairing, not while a session is silent; only what the partner wrote.
    @Test func theRelayNeverSendsBytesOfItsOwn() async throws {
        try await withRelay { server, port in
            let uuid = relayUUID()
            let a = try await RelayTestClient.paired(port: port, from: "127.0.0.1", uuid: uuid)
            try await Task.sleep(for: .milliseconds(500))
            #expect(a.receivedCount == 0, "nothing while waiting")
            let b = try await RelayTestClient.paired(port: port, from: "127.0.0.1", uuid: uuid)
            #expect(await eventually { await server.summary()?.activeSessions == 1 })
            try await Task.sleep(for: .milliseconds(1500))
            #expect(a.receivedCount == 0, "nothing on pairing or while silent")
            #expect(b.receivedCount == 0)
            try await a.send([0x00, 0x01, 0x02])
            #expect(await b.waitForBytes(3))
            try await Task.sleep(for: .milliseconds(200))
            #expect(b.received == [0x00, 0x01, 0x02])
            #expect(a.receivedCount == 0)
            await a.close()
            await b.close()
        }
    }

    /// Checklist 51 in message mode (a TCP side paired with a WebSocket side, docs/rustdesk-protocol.md#relay-forwarding):
    /// when either side ends, the other gets only what was forwarded, then the end: no empty
    /// frame (`00` on TCP) or empty binary message made up by the relay.
    @Test func inMessageModeTheRelayAddsNothingWhenASideEnds() async throws {
        try await withRelay { server, port in
            let uuid = relayUUID()
            let tcp = try await RelayTestClient.paired(port: port, from: "127.0.0.2", uuid: uuid)
            let ws = try await WebSocketPeer.connect(port: port + 2, from: "127.0.0.3", path: "/ws/relay")
            try await ws.send(.with { $0.requestRelay = .with { $0.uuid = uuid } })
            #expect(await eventually { await server.summary()?.activeSessions == 1 })
            try await ws.send(.binary, Array("x".utf8))
            #expect(await tcp.waitForBytes(2))
            try await tcp.send(FrameHeader.frame(Array("y".utf8))!)
            try await tcp.shutdownOutput()
            let frames = await ws.framesUntilClosed(timeout: .seconds(3))
            let binary = frames?.filter { $0.opcode == .binary }.map { Array($0.unmaskedData.readableBytesView) }
            #expect(binary == [Array("y".utf8)], "WebSocket side after the TCP side's EOF: \(String(describing: binary))")
            await ws.close()
            #expect(await tcp.waitClosed(timeout: .seconds(3)))
            try await Task.sleep(for: .milliseconds(100))
            #expect(tcp.received == FrameHeader.frame(Array("x".utf8))!, "TCP side: \(tcp.received)")
            await tcp.close()
        }
    }

    /// Loopback clients are relayed like any other (hbbr would treat them as its console).
    @Test func loopbackConnectionsAreRelayedNotAConsole() async throws {
        try await withRelay { _, port in
            let console = try await RelayTestClient.connect(port: port, from: "127.0.0.1")
            try await console.send(Array("h\n".utf8))
            try await Task.sleep(for: .milliseconds(500))
            #expect(console.receivedCount == 0, "no console help text")
            await console.close()
            let uuid = relayUUID()
            let a = try await RelayTestClient.paired(port: port, from: "127.0.0.1", uuid: uuid, extra: Array("from a".utf8))
            let b = try await RelayTestClient.paired(port: port, from: "127.0.0.1", uuid: uuid, extra: Array("from b".utf8))
            #expect(await b.waitForBytes(6))
            #expect(await a.waitForBytes(6))
            #expect(b.received == Array("from a".utf8))
            #expect(a.received == Array("from b".utf8))
            await a.close()
            await b.close()
        }
    }
}
}
