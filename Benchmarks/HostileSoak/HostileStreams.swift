import NIOCore
import RustDeskWire

/// What every hostile worker shares.
struct HostileContext: Sendable {
    let group: any EventLoopGroup
    let target: Target
    let tally: Tally
    let budget: SocketBudget
    let deadline: Deadline

    /// Hostile source addresses: 127.0.0.10 – 127.0.0.41 (never the legitimate .8/.9, nor
    /// 127.0.0.1, from which the daemon health-checks its own children).
    static func source(_ index: Int) -> String { "127.0.0.\(10 + index % 32)" }
    static var randomSource: String { source(Int.random(in: 0..<32)) }
    /// The one address the crowd of concurrent connections comes from.
    static let crowdSource = "127.0.0.77"

    /// Connects within the socket budget; nil (after a pause) if the budget is used up or
    /// the connection is refused. The caller releases the budget slot when done.
    func open(port: Int, from source: String, kind: String) async -> StreamClient? {
        guard budget.tryAcquire() else {
            tally.add("budget-full")
            _ = await deadline.sleep(.milliseconds(500))
            return nil
        }
        do {
            let client = try await StreamClient.connect(group, port: port, from: source, timeout: .seconds(3))
            tally.add("conn.\(kind)")
            tally.add("open.\(kind)")
            return client
        } catch {
            budget.release()
            tally.add("connect-failed.\(kind)")
            _ = await deadline.sleep(.milliseconds(500))
            return nil
        }
    }

    func done(_ client: StreamClient, kind: String) async {
        await client.close()
        tally.add("open.\(kind)", -1)
        budget.release()
    }

    /// Runs `count` copies of `body` (each a loop until the deadline), started over 5 s.
    static func workers(_ count: Int, _ body: @escaping @Sendable (Int) async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                group.addTask {
                    try? await Task.sleep(for: .milliseconds(Int.random(in: 0...5_000)))
                    await body(index)
                }
            }
        }
    }
}

/// Hostile TCP connections to the rendezvous (P, P−1) and relay (R) ports and idle ones to
/// the WebSocket ports.
enum HostileStreams {
    /// Short connections with one malformed thing each, then wait (≤ 3 s) to be closed.
    static func malformed(_ context: HostileContext, workers: Int) async {
        let target = context.target
        await HostileContext.workers(workers) { _ in
            var garbage = Garbage()
            while !context.deadline.passed {
                let port = [target.rendezvousPort, target.natPort, target.relayPort].randomElement() ?? target.rendezvousPort
                guard let client = await context.open(port: port, from: HostileContext.randomSource, kind: "malformed") else { continue }
                let variant = Int.random(in: 0..<8)
                let bytes: [UInt8]
                switch variant {
                case 0: bytes = garbage.bytes(Int.random(in: 1...2_000))
                case 1: bytes = [0xFF, 0xFF, 0xFF, 0xFF] + garbage.bytes(100)            // announces 1 GiB
                case 2: bytes = (FrameHeader.encode(length: 200_000) ?? []) + garbage.bytes(1_000)
                case 3: bytes = Messages.frame(garbage.bytes(200))
                case 4: bytes = Messages.frame([UInt8](repeating: 0x0B, count: 3_000))   // nested groups
                case 5: bytes = Messages.frame(Messages.registerPk(id: Messages.randomID(), uuid: garbage.bytes(16), pk: garbage.bytes(32)))
                case 6: bytes = [UInt8](repeating: 0, count: 500)                        // 500 empty frames
                default: bytes = Messages.frame(Messages.requestRelay(uuid: "x\(garbage.next())", key: "wrong key"))
                }
                try? await client.send(bytes)
                context.tally.add("malformed.sent")
                if await client.waitClosed(timeout: context.deadline.cap(.seconds(3))) { context.tally.add("malformed.closed-by-server") }
                await context.done(client, kind: "malformed")
                _ = await context.deadline.sleep(.milliseconds(100))
            }
        }
    }

    /// A header announcing 60 000 bytes, then one byte every 20 s, until the server closes.
    static func slowloris(_ context: HostileContext, workers: Int) async {
        let target = context.target
        let header = FrameHeader.encode(length: 60_000) ?? []
        await HostileContext.workers(workers) { index in
            while !context.deadline.passed {
                let port = index % 2 == 0 ? target.rendezvousPort : target.relayPort
                guard let client = await context.open(port: port, from: HostileContext.randomSource, kind: "slowloris") else { continue }
                let opened = ContinuousClock.now
                var closed = false
                if (try? await client.send(header)) != nil {
                    while !context.deadline.passed {
                        if await client.waitClosed(timeout: context.deadline.cap(.seconds(20))) {
                            closed = true
                            break
                        }
                        if context.deadline.passed { break }
                        if (try? await client.send([0x42])) == nil { break }
                    }
                }
                let side = port == target.relayPort ? "R" : "P"
                context.tally.add("slowloris.\(side)")
                if closed { context.tally.add("slowloris.\(side).closed-by-server") }
                context.tally.add("slowloris.\(side).held-seconds", Int((ContinuousClock.now - opened).components.seconds))
                await context.done(client, kind: "slowloris")
            }
        }
    }

    /// A valid RequestRelay (right key) with a uuid nobody else presents: parked until the
    /// relay gives up on it.
    static func parkedRelay(_ context: HostileContext, workers: Int) async {
        let target = context.target
        await HostileContext.workers(workers) { _ in
            while !context.deadline.passed {
                guard let client = await context.open(port: target.relayPort, from: HostileContext.randomSource, kind: "parked") else { continue }
                let uuid = "parked-\(UInt64.random(in: 0...UInt64.max))"
                try? await client.send(Messages.frame(Messages.requestRelay(uuid: uuid, key: target.key)))
                if await client.waitClosed(timeout: context.deadline.cap(.seconds(90))) { context.tally.add("parked.closed-by-server") }
                await context.done(client, kind: "parked")
            }
        }
    }

    /// Connections to the WebSocket ports that never upgrade: silent, half an HTTP request,
    /// or a request line dripped a byte every 5 s.
    static func neverUpgrade(_ context: HostileContext, workers: Int) async {
        let target = context.target
        await HostileContext.workers(workers) { index in
            while !context.deadline.passed {
                let port = index % 2 == 0 ? target.rendezvousWebSocketPort : target.relayWebSocketPort
                guard let client = await context.open(port: port, from: HostileContext.randomSource, kind: "no-upgrade") else { continue }
                var closed = false
                switch Int.random(in: 0..<3) {
                case 0:
                    closed = await client.waitClosed(timeout: context.deadline.cap(.seconds(90)))
                case 1:
                    try? await client.send(Array("GET /ws/id HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n".utf8))
                    closed = await client.waitClosed(timeout: context.deadline.cap(.seconds(90)))
                default:
                    for byte in "GET /ws/relay HTTP/1.1\r\nHost: 127.0.0.1\r\n".utf8 {
                        if (try? await client.send([byte])) == nil { break }
                        if await client.waitClosed(timeout: context.deadline.cap(.seconds(5))) {
                            closed = true
                            break
                        }
                        if context.deadline.passed { break }
                    }
                }
                if closed { context.tally.add("no-upgrade.closed-by-server") }
                await context.done(client, kind: "no-upgrade")
            }
        }
    }

    /// Many silent connections held at once from one address (half to P, half to R); a
    /// per-address cap should refuse those beyond it. Closed within 1 s counts as refused.
    static func crowd(_ context: HostileContext, workers: Int) async {
        let target = context.target
        await HostileContext.workers(workers) { index in
            while !context.deadline.passed {
                let port = index % 2 == 0 ? target.rendezvousPort : target.relayPort
                guard let client = await context.open(port: port, from: HostileContext.crowdSource, kind: "crowd") else { continue }
                let opened = ContinuousClock.now
                if await client.waitClosed(timeout: context.deadline.remaining) {
                    let lived = ContinuousClock.now - opened
                    let side = port == target.relayPort ? "R" : "P"
                    context.tally.add(lived < .seconds(1) ? "crowd.\(side).refused" : "crowd.\(side).closed-later")
                }
                await context.done(client, kind: "crowd")
                // A refused crowd member comes back after 1–2 s, not in a tight loop.
                _ = await context.deadline.sleep(.milliseconds(Int.random(in: 1_000...2_000)))
            }
        }
    }
}
