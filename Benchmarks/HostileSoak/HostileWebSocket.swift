import NIOCore

/// Upgraded WebSocket connections to P+2 and R+2 that send what no client should: messages of
/// megabytes, fragmented messages that never finish, garbage, impossible lengths.
enum HostileWebSocket {
    /// 4 MiB of garbage, shared (slices cost nothing).
    static let payload: ByteBuffer = {
        var garbage = Garbage(seed: 0x5EED)
        return ByteBuffer(bytes: garbage.bytes(4 << 20))
    }()

    static func run(_ context: HostileContext, workers: Int) async {
        let target = context.target
        await HostileContext.workers(workers) { index in
            while !context.deadline.passed {
                let onRelay = index % 2 == 1
                let port = onRelay ? target.relayWebSocketPort : target.rendezvousWebSocketPort
                guard let client = await context.open(port: port, from: HostileContext.randomSource, kind: "ws") else { continue }
                await abuse(client, port: port, path: onRelay ? "/ws/relay" : "/ws/id", side: onRelay ? "R+2" : "P+2", context: context)
                await context.done(client, kind: "ws")
                // Bounded: at most one abusive connection per worker and second.
                _ = await context.deadline.sleep(.seconds(1))
            }
        }
    }

    private static func abuse(_ client: StreamClient, port: Int, path: String, side: String, context: HostileContext) async {
        guard (try? await client.send(WebSocketWire.upgradeRequest(port: port, path: path))) != nil,
              let head = await client.readHTTPHead(timeout: .seconds(5)), head.hasPrefix("HTTP/1.1 101") else {
            context.tally.add("ws.not-upgraded")
            return
        }
        var sent = 0
        func send(_ bytes: [UInt8], _ body: ByteBuffer? = nil) async -> Bool {
            guard (try? await client.send(bytes)) != nil else { return false }
            sent += bytes.count
            if let body {
                guard (try? await client.send(body)) != nil else { return false }
                sent += body.readableBytes
            }
            return true
        }
        let binary = WebSocketWire.Opcode.binary.rawValue
        let variant = Int.random(in: 0..<6)
        switch variant {
        case 0:
            // One 4 MiB binary message (the relay's limit is far above, the rendezvous' far below).
            _ = await send(WebSocketWire.header(fin: true, opcode: binary, length: payload.readableBytes), payload)
        case 1:
            // A message of 12 × 256 KiB fragments that never gets its final fragment.
            let fragment = payload.getSlice(at: 0, length: 256 << 10) ?? payload
            for number in 0..<12 {
                let opcode = number == 0 ? binary : WebSocketWire.Opcode.continuation.rawValue
                guard await send(WebSocketWire.header(fin: false, opcode: opcode, length: fragment.readableBytes), fragment) else { break }
            }
        case 2:
            // 200 small binary messages that are not RendezvousMessages.
            for number in 0..<200 {
                let body = payload.getSlice(at: number * 1024, length: 1024) ?? payload
                guard await send(WebSocketWire.header(fin: true, opcode: binary, length: 1024), body) else { break }
            }
        case 3:
            // A 1 MiB text message.
            let body = payload.getSlice(at: 0, length: 1 << 20) ?? payload
            _ = await send(WebSocketWire.header(fin: true, opcode: WebSocketWire.Opcode.text.rawValue, length: 1 << 20), body)
        case 4:
            // A header announcing 2^62 bytes, then a little.
            let header: [UInt8] = [0x80 | binary, 0x80 | 127, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
            _ = await send(header, payload.getSlice(at: 0, length: 64 << 10))
        default:
            // An unmasked 2 MiB client frame (a protocol error).
            let body = payload.getSlice(at: 0, length: 2 << 20) ?? payload
            let length = body.readableBytes
            var header: [UInt8] = [0x80 | binary, 127]
            for shift in stride(from: 56, through: 0, by: -8) { header.append(UInt8(truncatingIfNeeded: length >> shift)) }
            _ = await send(header, body)
        }
        context.tally.add("ws.bytes", sent)
        let waited = ContinuousClock.now
        let closed = await client.waitClosed(timeout: context.deadline.cap(.seconds(60)))
        if closed { context.tally.add("ws.closed-by-server") }
        // Per port and variant: sessions, and how long the server kept each open after the send.
        let key = "ws.\(side).v\(variant)"
        context.tally.add(key)
        context.tally.add(key + ".held-seconds", Int((ContinuousClock.now - waited).components.seconds))
        if !closed { context.tally.add(key + ".still-open") }
    }
}
