import Foundation
import Logging
import NIOCore
import NIOWebSocket
import Relay
import RustDeskWire
import Testing

/// A relay session where one side (or both) uses the WebSocket port R+2: messages are
/// translated between length-prefixed frames and binary WebSocket messages (docs/rustdesk-protocol.md#relay-forwarding,
/// #conformance-checklist 48).
@Suite(.serialized) struct RelayWebSocketTests {
    static func requestRelay(_ uuid: String) -> Hbb_RendezvousMessage {
        .with { $0.requestRelay = .with { $0.uuid = uuid } }
    }

    func startRelay() async throws -> RelayServer {
        var lastError: (any Error)?
        for _ in 0..<10 {
            var settings = RelaySettings()
            settings.port = TestPorts.random()
            settings.bind = "127.0.0.1"
            let server = RelayServer(settings: settings, logger: Logger(label: "test"))
            do {
                try await server.start()
                return server
            } catch {
                lastError = error
                await server.shutdown()
            }
        }
        throw lastError ?? TestFailure("no free port")
    }

    @Test func tcpAndWebSocketSidesExchangeMessages() async throws {
        let server = try await startRelay()
        let port = try #require(server.boundPort)
        // The TCP side sends its RequestRelay and, before the partner exists, two frames.
        let tcp = try await TCPPeer(port: port, rawFrames: true)
        let early = FrameHeader.frame(Array("first".utf8))! + FrameHeader.frame([])! + FrameHeader.frame(Array(repeating: 7, count: 70_000))!
        try await tcp.sendRaw(FrameHeader.frame(RendezvousCoding.encode(Self.requestRelay("mixed")))! + early)
        try await Task.sleep(for: .milliseconds(100))
        let ws = try await WebSocketPeer.connect(port: port + 2, path: "/ws/relay")
        try await ws.send(Self.requestRelay("mixed"))
        // Each TCP frame arrives as one binary message; the empty one is not forwarded.
        let first = await ws.receiveFrame()
        #expect(first?.opcode == .binary && first.map { Array($0.unmaskedData.readableBytesView) } == Array("first".utf8))
        let big = await ws.receiveFrame()
        #expect(big.map { $0.unmaskedData.readableBytes } == 70_000)
        // A binary message becomes one framed payload on TCP; text is not forwarded.
        try await ws.send(.text, Array("ignored".utf8))
        try await ws.send(.binary, Array("from-ws".utf8))
        #expect(await tcp.receiveRaw() == Array("from-ws".utf8))
        #expect(await tcp.receiveRaw(timeout: .milliseconds(300)) == nil)
        #expect(await server.summary()?.activeSessions == 1)
        await ws.close()
        #expect(await tcp.isClosed(), "ending one side ends the session")
        await server.shutdown()
    }

    @Test func twoWebSocketSidesForwardMessageForMessage() async throws {
        let server = try await startRelay()
        let port = try #require(server.boundPort)
        let a = try await WebSocketPeer.connect(port: port + 2, path: "/ws/relay")
        let b = try await WebSocketPeer.connect(port: port + 2, path: "/ws/relay")
        try await a.send(Self.requestRelay("ws-ws"))
        try await a.send(.binary, [1, 2, 3])
        try await Task.sleep(for: .milliseconds(100))
        try await b.send(Self.requestRelay("ws-ws"))
        #expect(await b.receiveFrame().map { Array($0.unmaskedData.readableBytesView) } == [1, 2, 3])
        try await b.send(.binary, [4, 5])
        #expect(await a.receiveFrame().map { Array($0.unmaskedData.readableBytesView) } == [4, 5])
        await a.close()
        await b.close()
        await server.shutdown()
    }

    /// A side that sends its data and ends its stream before the partner arrives: once
    /// paired, the partner gets the data and then the end of the stream, nothing is lost.
    @Test func anEndedStreamWaitingForItsPartnerIsDeliveredInFull() async throws {
        let server = try await startRelay()
        let port = try #require(server.boundPort)
        let a = try await TCPPeer(port: port, rawFrames: true)
        // The payload is framed too, as RustDesk clients frame everything they send.
        try await a.sendRaw(FrameHeader.frame(RendezvousCoding.encode(Self.requestRelay("ended")))! + FrameHeader.frame(Array("payload, then EOF".utf8))!)
        try await a.channel.close(mode: .output)
        try await Task.sleep(for: .milliseconds(200))
        #expect(await server.summary()?.waiting == 1, "still waiting: it has bytes to deliver")
        let b = try await TCPPeer(port: port, rawFrames: true)
        try await b.sendRaw(FrameHeader.frame(RendezvousCoding.encode(Self.requestRelay("ended")))!)
        var received: [UInt8] = []
        while let chunk = await b.inbox.next(timeout: .seconds(2)) { received += Array(chunk.readableBytesView) }
        #expect(String(decoding: received, as: UTF8.self) == "payload, then EOF")
        #expect(b.inbox.isFinished, "the end of A's stream reached B")
        await a.close()
        await b.close()
        await server.shutdown()
    }

    @Test func aWebSocketFirstMessageThatIsNotRequestRelayCloses() async throws {
        let server = try await startRelay()
        let port = try #require(server.boundPort)
        let ws = try await WebSocketPeer.connect(port: port + 2, path: "/ws/relay")
        try await ws.send(.binary, [0x08, 0x01])
        let frames = await ws.framesUntilClosed()
        #expect(frames != nil, "closed")
        #expect(frames?.allSatisfy { $0.opcode != .binary } ?? false, "and nothing relayed back")
        #expect(await server.summary()?.counters.refusedMalformed == 1)
        await server.shutdown()
    }
}
