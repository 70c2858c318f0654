import Foundation
import NIOCore
import NIOWebSocket
import Testing
import RustDeskWire

/// The WebSocket carriage on P+2 (docs/rustdesk-protocol.md#websocket, #listeners, #conformance-checklist 3 and 28): a real NIO WebSocket
/// client against `homeport rendezvous` run as a child process, so that a server crash fails
/// the test instead of ending the test run.
@Suite struct RendezvousWebSocketTests {
    typealias Conformance = RendezvousConformanceTests

    static func binaryPayloads(_ frames: [WebSocketFrame]) -> [[UInt8]] {
        frames.filter { $0.opcode == .binary }.map { Array($0.unmaskedData.readableBytesView) }
    }

    static func natResponse(port: Int) -> [UInt8] {
        RendezvousCoding.encode(.with { $0.testNatResponse = .with { $0.port = Int32(port) } })
    }

    @Test func natTestIsOneBinaryMessageEachWay() async throws {
        // Checklist 3: the request is a bare protobuf in one binary message; so is the answer.
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let server = try await RendezvousChild.start(in: dir)
        let ws = try await WebSocketPeer.connect(port: server.port + 2)
        let localPort = ws.localPort
        try await ws.send(.with { $0.testNatRequest = .with { $0.serial = 0 } })
        let frames = try #require(await ws.framesUntilClosed(), "the server closes after the NAT test answer")
        #expect(Self.binaryPayloads(frames) == [Self.natResponse(port: localPort)], "exactly one binary message, no length prefix")
        #expect(frames.allSatisfy { $0.opcode == .binary || $0.opcode == .connectionClose })
        #expect(frames.first?.opcode == .binary && frames.first?.fin == true)
        try await server.stop()
    }

    @Test(arguments: [
        ("unknown id, right key", true, [UInt8]([0x5a, 0x00])),
        ("wrong key", false, [0x5a, 0x02, 0x18, 0x03]),
    ])
    func punchHoleRequestFailuresComeBackAsOneBinaryMessage(_ name: String, _ rightKey: Bool, _ expected: [UInt8]) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let server = try await RendezvousChild.start(in: dir)
        let key = server.licenceKey
        #expect(key.count == 44)
        let ws = try await WebSocketPeer.connect(port: server.port + 2, from: "127.0.0.2")
        try await ws.send(Conformance.punchHoleRequest("555555555", key: rightKey ? key : "wrong"))
        let frame = try #require(await ws.receiveFrame(), "\(name)")
        #expect(frame.opcode == .binary && frame.fin)
        #expect(Array(frame.unmaskedData.readableBytesView) == expected, "\(name)")
        #expect(await ws.receiveFrame(timeout: .milliseconds(300)) == nil, "nothing more")
        #expect(!ws.inbox.isFinished, "A's connection stays open")
        await ws.close()
        try await server.stop()
    }

    enum Carriage: String, CaseIterable, Sendable { case webSocket, tcp }

    @Test(arguments: Carriage.allCases)
    func sameIPAsBOverWebSocketStillPunches(_ carriage: Carriage) async throws {
        // Checklist 28: same IP and plain TCP → FetchLocalAddr; same IP over WebSocket → PunchHole.
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let server = try await RendezvousChild.start(in: dir)
        let b = try await UDPPeer(ip: "127.0.0.3")
        try await b.send(Conformance.registerPk(Conformance.idB), to: server.port)
        #expect(await b.receiveRaw()?.bytes == [0x82, 0x01, 0x00])
        let request = Conformance.punchHoleRequest(Conformance.idB, key: server.licenceKey, nat: .asymmetric)
        let aAddress: PeerAddress?
        var ws: WebSocketPeer?
        var tcp: TCPPeer?
        switch carriage {
        case .webSocket:
            let peer = try await WebSocketPeer.connect(port: server.port + 2, from: "127.0.0.3")
            try await peer.send(request)
            aAddress = peer.localAddress
            ws = peer
        case .tcp:
            let peer = try await TCPPeer(port: server.port, from: "127.0.0.3")
            try await peer.send(request)
            aAddress = peer.localAddress
            tcp = peer
        }
        let datagram = await b.receive()
        switch (carriage, datagram?.union) {
        case (.webSocket, .punchHole(let punch)?):
            #expect(AddrMangle.decode(punch.socketAddr) == aAddress)
            #expect(punch.natType == .asymmetric)
        case (.tcp, .fetchLocalAddr(let fetch)?):
            #expect(AddrMangle.decode(fetch.socketAddr) == aAddress)
        default:
            Issue.record("\(carriage): unexpected message to B: \(String(describing: datagram))")
        }
        if let ws {
            #expect(await ws.receiveFrame(timeout: .milliseconds(300)) == nil, "A hears nothing yet")
            await ws.close()
        }
        await tcp?.close()
        await b.close()
        try await server.stop()
    }

    @Test func answerReachesAWaitingOnItsWebSocket() async throws {
        // docs/rustdesk-protocol.md#listeners: A waits on its WebSocket; B's PunchHoleSent (over TCP) reaches it as one
        // binary message with B's address and B's signed key.
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let server = try await RendezvousChild.start(in: dir)
        let b = try await UDPPeer(ip: "127.0.0.3")
        try await b.send(Conformance.registerPk(Conformance.idB), to: server.port)
        #expect(await b.receiveRaw()?.bytes == [0x82, 0x01, 0x00])
        let a = try await WebSocketPeer.connect(port: server.port + 2, from: "127.0.0.2")
        try await a.send(Conformance.punchHoleRequest(Conformance.idB, key: server.licenceKey))
        guard case .punchHole(let punch)? = await b.receive()?.union else {
            Issue.record("expected PunchHole")
            try await server.stop()
            return
        }
        #expect(AddrMangle.decode(punch.socketAddr) == a.localAddress)
        let bTCP = try await TCPPeer(port: server.port, from: "127.0.0.3")
        let bAddress = bTCP.localAddress
        try await bTCP.send(.with { $0.punchHoleSent = .with { $0.socketAddr = punch.socketAddr; $0.id = Conformance.idB; $0.version = "1.4.9" } })
        let frame = await a.receiveFrame()
        #expect(frame?.opcode == .binary)
        if case .punchHoleResponse(let response)? = frame.flatMap({ RendezvousCoding.decode(Array($0.unmaskedData.readableBytesView)) })?.union {
            #expect(AddrMangle.decode(response.socketAddr) == bAddress)
            let opened = ServerKeyPair.open(Array(response.pk), publicKey: server.publicKey)
            #expect(opened == IdPkSigning.serializedIdPk(id: Conformance.idB, pk: Conformance.pkB))
        } else {
            Issue.record("expected PunchHoleResponse, got \(String(describing: frame))")
        }
        await a.close()
        await bTCP.close()
        await b.close()
        try await server.stop()
    }

    @Test func textAndPingDoNotDisturb() async throws {
        // docs/rustdesk-protocol.md#websocket: text is skipped, a ping is answered with a pong carrying its data, and the
        // connection keeps serving binary messages.
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let server = try await RendezvousChild.start(in: dir)
        let ws = try await WebSocketPeer.connect(port: server.port + 2)
        try await ws.send(.text, Array("hello hbbs".utf8))
        #expect(await ws.receiveFrame(timeout: .milliseconds(300)) == nil, "no answer to text")
        try await ws.send(.ping, [1, 2, 3, 4])
        let pong = await ws.receiveFrame()
        #expect(pong?.opcode == .pong)
        #expect(pong.map { Array($0.unmaskedData.readableBytesView) } == [1, 2, 3, 4])
        #expect(!ws.inbox.isFinished)
        let localPort = ws.localPort
        try await ws.send(.with { $0.testNatRequest = .with { $0.serial = 0 } })
        let frames = await ws.framesUntilClosed()
        #expect(frames.map(Self.binaryPayloads) == [Self.natResponse(port: localPort)])
        try await server.stop()
    }

    enum Garbage: String, CaseIterable, Sendable {
        case unparseable, emptyMessage, lengthPrefixedFrame, unsupportedMessage, nestedGroups

        var payload: [UInt8] {
            switch self {
            case .unparseable: [0x08, 0xff]
            case .emptyMessage: []
            case .lengthPrefixedFrame: [0x14] + RendezvousCoding.encode(.with { $0.testNatRequest = .with { $0.serial = 0 } })
            case .unsupportedMessage: RendezvousCoding.encode(.with { $0.hc = .with { $0.token = "t" } })
            case .nestedGroups: Array(repeating: 0x0b, count: 3000) + Array(repeating: 0x0c, count: 3000)
            }
        }
    }

    @Test(arguments: Garbage.allCases)
    func garbageBinaryMessageClosesTheConnection(_ garbage: Garbage) async throws {
        // docs/rustdesk-protocol.md#listeners, checklist 38 and 57 on WS P+2.
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let server = try await RendezvousChild.start(in: dir)
        let ws = try await WebSocketPeer.connect(port: server.port + 2)
        try await ws.send(.binary, garbage.payload)
        let frames = await ws.framesUntilClosed()
        #expect(frames != nil, "the connection is closed")
        #expect(frames.map(Self.binaryPayloads) == [], "nothing answered")
        // The listener keeps serving.
        #expect(server.isRunning)
        let again = try await WebSocketPeer.connect(port: server.port + 2)
        let againPort = again.localPort
        try await again.send(.with { $0.testNatRequest = .with { $0.serial = 0 } })
        #expect(await again.framesUntilClosed().map(Self.binaryPayloads) == [Self.natResponse(port: againPort)])
        try await server.stop()
    }

    @Test func plainHTTPGetIsAnswered426() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let server = try await RendezvousChild.start(in: dir)
        let http = try await RawTCPClient(port: server.port + 2)
        try await http.send("GET /ws/id HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let response = try #require(await http.readUntilClosed(), "the server closes after answering")
        let statusLine = response.split(separator: "\r\n").first.map(String.init)
        #expect(statusLine == "HTTP/1.1 426 Upgrade Required", "got: \(response)")
        // …and a WebSocket upgrade on the same listener still works.
        let ws = try await WebSocketPeer.connect(port: server.port + 2)
        await ws.close()
        try await server.stop()
    }
}
