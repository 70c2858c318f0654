import NIOCore
import RustDeskWire

/// The ports of the daemon under test and the key its servers require.
struct Target: Sendable {
    var rendezvousPort = 0
    var relayPort = 0
    var key = ""

    var natPort: Int { rendezvousPort - 1 }
    var rendezvousWebSocketPort: Int { rendezvousPort + 2 }
    var relayWebSocketPort: Int { relayPort + 2 }
}

/// A legitimate RustDesk device pair, from addresses no hostile load uses: B registers over
/// UDP from 127.0.0.9 (as the controlled device), A asks for B from 127.0.0.8 (TCP or
/// WebSocket), B answers the PunchHole with a relay, and both meet at the relay. Every step
/// checks the answer it gets; each attempt is one success or one failure.
final class LegitClient: Sendable {
    static let addressA = "127.0.0.8"
    static let addressB = "127.0.0.9"
    static let kinds = ["register", "punch-tcp", "punch-ws", "relay-ws"]

    struct Identity: Sendable {
        let id: String
        let uuid: [UInt8]
        let pk: [UInt8]
    }

    let group: any EventLoopGroup
    let target: Target
    let tally: Tally
    let udp: UDPSocket
    /// Three device identities used in turn, each registering every third cycle.
    let identities: [Identity]

    init(group: any EventLoopGroup, target: Target, tally: Tally) async throws {
        self.group = group
        self.target = target
        self.tally = tally
        udp = try await UDPSocket.bind(group, ip: Self.addressB, serverPort: target.rendezvousPort, keepAnswers: true)
        var garbage = Garbage()
        identities = (0..<3).map { index in
            let seed = garbage.bytes(32)
            let pk = (try? ServerKeyPair.keyPair(seed: seed).publicKey) ?? garbage.bytes(32)
            return Identity(id: String(1_900_000_000 + Int.random(in: 0..<10_000_000) * 10 + index), uuid: garbage.bytes(16), pk: pk)
        }
    }

    /// Until both servers are up (start-up, not counted): a registration, a TCP pair and a
    /// WebSocket ↔ TCP pair through the relay all work; at most `timeout`.
    func waitReady(timeout: Duration) async -> Bool {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if (try? await register(identities[0])) != nil,
               (try? await pairOverTCP(uuid: "soak-ready-\(UInt64.random(in: 0...UInt64.max))")) != nil,
               (try? await webSocketRelay()) != nil {
                return true
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
        return false
    }

    /// One cycle every `interval` until the deadline: register, a punch-hole request answered
    /// with a relay (A over TCP and over WebSocket in turn), a WebSocket ↔ TCP relay session.
    func run(deadline: Deadline, interval: Duration) async {
        var cycle = 0
        while !deadline.passed {
            let started = ContinuousClock.now
            let identity = identities[cycle % identities.count]
            await attempt("register") { try await self.register(identity) }
            let viaWebSocket = cycle % 2 == 1
            await attempt(viaWebSocket ? "punch-ws" : "punch-tcp") { try await self.punchThenRelay(identity, viaWebSocket: viaWebSocket) }
            await attempt("relay-ws") { try await self.webSocketRelay() }
            cycle += 1
            let next = started + interval
            if next > ContinuousClock.now, !(await deadline.sleep(next - ContinuousClock.now)) { break }
        }
    }

    private func attempt(_ kind: String, _ body: () async throws -> Void) async {
        do {
            try await body()
            tally.add("legit.ok")
            tally.add("legit.\(kind).ok")
        } catch {
            tally.add("legit.fail")
            tally.add("legit.\(kind).fail")
            tally.add("reason.\(kind): \(error)")
            if tally.get("legit.fail") <= 20 { log("legit \(kind) failed: \(error)") }
        }
    }

    // MARK: Registration (docs/rustdesk-protocol.md#registration)

    /// As a RustDesk client does (rustdesk src/rendezvous_mediator.rs): RegisterPeer every
    /// cycle, and RegisterPk only when the server asks for the key (request_pk, which it does
    /// for an id it does not know yet). Sending RegisterPk every cycle, as an earlier version
    /// of this client did, runs into hbbs's per-source burst limit (32 RegisterPk less than
    /// 60 s apart), which real clients never meet.
    func register(_ identity: Identity) async throws {
        noteStale()
        guard try await registerPeer(identity) else { return }
        let pkAnswer = try await exchangeUDP(Messages.registerPk(id: identity.id, uuid: identity.uuid, pk: identity.pk), what: "RegisterPkResponse") { message in
            if case .registerPkResponse(let response) = message.union { return response.result }
            return nil
        }
        guard pkAnswer == .ok else { throw SoakError("RegisterPk answered \(pkAnswer)") }
        guard !(try await registerPeer(identity)) else { throw SoakError("RegisterPeer after RegisterPk answered request_pk = true") }
    }

    /// Whether the server asks for the key.
    private func registerPeer(_ identity: Identity) async throws -> Bool {
        try await exchangeUDP(Messages.registerPeer(id: identity.id), what: "RegisterPeerResponse") { message in
            if case .registerPeerResponse(let response) = message.union { return response.requestPk }
            return nil
        }
    }

    /// Sends, waits 3 s for the matching answer, sends once more (as a client retries).
    private func exchangeUDP<Answer>(_ request: [UInt8], what: String,
                                     _ match: (Hbb_RendezvousMessage) -> Answer?) async throws -> Answer {
        for _ in 0..<2 {
            try await udp.send(request)
            let end = ContinuousClock.now + .seconds(3)
            while ContinuousClock.now < end, let inbox = udp.inbox {
                guard let envelope = await inbox.next(timeout: end - ContinuousClock.now) else { break }
                guard let message = RendezvousCoding.decode(envelope.data.readableBytesView) else { continue }
                if let answer = match(message) { return answer }
                note(message)
            }
            tally.add("legit.udp-retransmit")
        }
        throw SoakError("no \(what) within 2 × 3 s")
    }

    /// Datagrams nobody waited for (a late answer, a ConfigUpdate after a RegisterPeer).
    private func noteStale() {
        for envelope in udp.inbox?.drain() ?? [] {
            if let message = RendezvousCoding.decode(envelope.data.readableBytesView) { note(message) }
        }
    }

    private func note(_ message: Hbb_RendezvousMessage) {
        // A ConfigUpdate means a hostile loopback ConfigUpdate changed what every client is told.
        if case .configureUpdate = message.union { tally.add("legit.config-update-received") }
    }

    // MARK: PunchHoleRequest → PunchHole → RelayResponse → relay (docs/rustdesk-protocol.md#brokering, #relay)

    func punchThenRelay(_ identity: Identity, viaWebSocket: Bool) async throws {
        noteStale()
        let uuid = "soak-\(UInt64.random(in: 0...UInt64.max))"
        let request = Messages.punchHoleRequest(id: identity.id, key: target.key)
        let a: StreamClient
        if viaWebSocket {
            a = try await openWebSocket(port: target.rendezvousWebSocketPort, path: "/ws/id", from: Self.addressA)
            try await a.send(WebSocketWire.maskedFrame(.binary, request))
        } else {
            a = try await StreamClient.connect(group, port: target.rendezvousPort, from: Self.addressA)
            try await a.send(Messages.frame(request))
        }
        defer { a.channel.close(promise: nil) }

        // B gets the PunchHole on its registration socket and chooses to relay.
        let socketAddr = try await awaitPunchHole(orAnswerOn: a, viaWebSocket: viaWebSocket)
        let b = try await StreamClient.connect(group, port: target.rendezvousPort, from: Self.addressB)
        try await b.send(Messages.frame(Messages.relayResponse(socketAddr: socketAddr, uuid: uuid,
                                                               relay: "127.0.0.1:\(target.relayPort)", id: identity.id)))
        b.channel.close(promise: nil)

        guard let answer = await readMessage(a, viaWebSocket: viaWebSocket, timeout: .seconds(5)) else {
            throw SoakError("A got no RelayResponse")
        }
        switch answer.union {
        case .relayResponse(let response):
            guard response.uuid == uuid, response.refuseReason.isEmpty else {
                throw SoakError("RelayResponse uuid '\(response.uuid)' refuse '\(response.refuseReason)'")
            }
            guard case .pk(let pk)? = response.union, !pk.isEmpty else { throw SoakError("RelayResponse without signed pk") }
        case .punchHoleResponse(let response):
            throw SoakError("PunchHoleResponse failure \(response.failure) instead of the RelayResponse")
        default:
            throw SoakError("unexpected answer to A: \(answer)")
        }
        try await pairOverTCP(uuid: uuid)
    }

    private func awaitPunchHole(orAnswerOn a: StreamClient, viaWebSocket: Bool) async throws -> [UInt8] {
        let end = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < end, let inbox = udp.inbox {
            guard let envelope = await inbox.next(timeout: end - ContinuousClock.now) else { break }
            guard let message = RendezvousCoding.decode(envelope.data.readableBytesView) else { continue }
            switch message.union {
            case .punchHole(let punch): return Array(punch.socketAddr)
            case .fetchLocalAddr: throw SoakError("B got FetchLocalAddr instead of PunchHole")
            default: note(message)
            }
        }
        // Nothing for B: say what A was told instead, if anything.
        if let answer = await readMessage(a, viaWebSocket: viaWebSocket, timeout: .milliseconds(300)) {
            throw SoakError("no PunchHole for B; A was answered \(answer)")
        }
        throw SoakError("no PunchHole for B within 5 s")
    }

    private func readMessage(_ client: StreamClient, viaWebSocket: Bool, timeout: Duration) async -> Hbb_RendezvousMessage? {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            let payload: [UInt8]?
            if viaWebSocket {
                guard let frame = await client.readWebSocketFrame(timeout: end - ContinuousClock.now) else { return nil }
                payload = frame.opcode == WebSocketWire.Opcode.binary.rawValue ? frame.payload : nil
            } else {
                payload = await client.readFrame(timeout: end - ContinuousClock.now)
                if payload == nil { return nil }
            }
            if let payload, let message = RendezvousCoding.decode(payload) { return message }
        }
        return nil
    }

    /// A and B at the relay with one uuid; a framed payload each way, compared byte for byte.
    func pairOverTCP(uuid: String) async throws {
        let x = try await StreamClient.connect(group, port: target.relayPort, from: Self.addressA)
        defer { x.channel.close(promise: nil) }
        let y = try await StreamClient.connect(group, port: target.relayPort, from: Self.addressB)
        defer { y.channel.close(promise: nil) }
        var garbage = Garbage()
        let toY = Messages.frame(garbage.bytes(4096)), toX = Messages.frame(garbage.bytes(3000))
        try await x.send(Messages.frame(Messages.requestRelay(uuid: uuid, key: target.key)) + toY)
        try await y.send(Messages.frame(Messages.requestRelay(uuid: uuid, key: target.key)) + toX)
        guard await y.read(count: toY.count, timeout: .seconds(5)) == toY else { throw SoakError("relay A→B bytes missing or different") }
        guard await x.read(count: toX.count, timeout: .seconds(5)) == toX else { throw SoakError("relay B→A bytes missing or different") }
    }

    // MARK: WebSocket ↔ TCP relay session (docs/rustdesk-protocol.md#relay-forwarding)

    func webSocketRelay() async throws {
        let uuid = "soak-ws-\(UInt64.random(in: 0...UInt64.max))"
        let w = try await openWebSocket(port: target.relayWebSocketPort, path: "/ws/relay", from: Self.addressB)
        defer { w.channel.close(promise: nil) }
        try await w.send(WebSocketWire.maskedFrame(.binary, Messages.requestRelay(uuid: uuid, key: target.key)))
        let t = try await StreamClient.connect(group, port: target.relayPort, from: Self.addressA)
        defer { t.channel.close(promise: nil) }
        try await t.send(Messages.frame(Messages.requestRelay(uuid: uuid, key: target.key)))
        var garbage = Garbage()
        let toT = garbage.bytes(2048), toW = garbage.bytes(1500)
        try await w.send(WebSocketWire.maskedFrame(.binary, toT))
        guard await t.readFrame(timeout: .seconds(5)) == toT else { throw SoakError("WS→TCP message missing or different") }
        try await t.send(Messages.frame(toW))
        let end = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < end {
            guard let frame = await w.readWebSocketFrame(timeout: end - ContinuousClock.now) else { break }
            guard frame.opcode == WebSocketWire.Opcode.binary.rawValue else { continue }
            guard frame.fin, frame.payload == toW else { throw SoakError("TCP→WS message different") }
            return
        }
        throw SoakError("TCP→WS message missing")
    }

    private func openWebSocket(port: Int, path: String, from source: String) async throws -> StreamClient {
        let client = try await StreamClient.connect(group, port: port, from: source)
        try await client.send(WebSocketWire.upgradeRequest(port: port, path: path))
        guard let head = await client.readHTTPHead(timeout: .seconds(5)) else {
            await client.close()
            throw SoakError("no upgrade answer on \(port)")
        }
        guard head.hasPrefix("HTTP/1.1 101") else {
            await client.close()
            throw SoakError("upgrade refused on \(port): \(head.prefix(40))")
        }
        return client
    }
}
