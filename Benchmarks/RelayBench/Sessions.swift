import Foundation
import NIOCore
import NIOPosix

/// `sessions`: N concurrent paired sessions, each side sending a 64-byte message every few
/// seconds (well inside the relay's 30 s idle limit); the relay's VmRSS before and with them
/// gives the memory per session. Kernel socket buffers are not part of RSS.
enum Sessions {
    static func run(options: Options, group: MultiThreadedEventLoopGroup) async throws -> Int32 {
        let count = options.sessions
        try raiseFileLimit(atLeast: 2 * count + 256)
        let relay = try RelayUnderTest.start(homeport: options.homeport)
        defer { relay.stop() }
        try await relay.probe(group: group)

        // Warm-up: the code paths and allocator arenas a session uses, then back to idle.
        var warm = try await establish(32, relay: relay, group: group, interval: options.interval)
        for channel in warm { channel.close(promise: nil) }
        warm = []
        try await Task.sleep(for: .seconds(3))
        guard let idle = relay.process.memory() else { throw BenchError("cannot read the relay's /proc status") }

        log("sessions: establishing \(count) paired sessions (16 pairings at a time), one 64-byte message per side every \(options.interval) s")
        let start = Date()
        let channels = try await establish(count, relay: relay, group: group, interval: options.interval)
        let setup = Date().timeIntervalSince(start)
        log(String(format: "  %d sessions up in %.1f s; holding them %d s", count, setup, options.hold))

        let cpu0 = relay.process.cpuSeconds()
        try await Task.sleep(for: .seconds(Int64(options.hold)))
        let cpu = relay.process.cpuSeconds() - cpu0
        guard let loaded = relay.process.memory() else { throw BenchError("the relay is gone:\n\(relay.process.logTail)") }

        // Every side must have heard from its partner within the last two intervals.
        let horizon = NIODeadline.now() - .seconds(Int64(2 * options.interval + 1))
        var alive = 0
        for channel in channels {
            let last = try? await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.handler(type: WatchHandler.self).lastReceived
            }.get()
            if let last, last > horizon { alive += 1 }
        }
        for channel in channels { channel.close(promise: nil) }
        try await Task.sleep(for: .seconds(3))
        let after = relay.process.memory()
        if let ended = relay.process.exitStatus() { throw BenchError("the relay \(ended):\n\(relay.process.logTail)") }

        let perSession = Double(loaded.rss - idle.rss) / Double(count)
        let perSessionAnon = Double(loaded.anonymous - idle.anonymous) / Double(count)
        print("")
        print("sessions: \(count) concurrent paired sessions (\(2 * count) relay sockets), 64 B per side every \(options.interval) s")
        print("  relay RSS idle            \(megabytes(idle.rss))  (anonymous \(megabytes(idle.anonymous)))")
        print("  relay RSS with sessions   \(megabytes(loaded.rss))  (anonymous \(megabytes(loaded.anonymous)))")
        print(String(format: "  RSS per session           %.0f bytes (%.1f KiB); anonymous only %.0f bytes", perSession, perSession / 1024, perSessionAnon))
        print(String(format: "  set-up %.1f s; sides hearing their partner %d of %d; relay CPU while holding %.2f s in %d s", setup, alive, 2 * count, cpu, options.hold))
        if let after { print("  relay RSS 3 s after closing them all: \(megabytes(after.rss))") }
        return alive == 2 * count ? 0 : 1
    }

    /// `count` sessions, 16 pairings in flight (under the relay's 32 waiting per IP); each
    /// confirmed by a first message from A reaching B. Returns both sides' channels.
    static func establish(_ count: Int, relay: RelayUnderTest, group: any EventLoopGroup, interval: Int) async throws -> [any Channel] {
        try await withThrowingTaskGroup(of: [any Channel].self) { tasks in
            var all: [any Channel] = []
            var next = 0
            func add() {
                let index = next
                next += 1
                tasks.addTask { try await pair(index, port: relay.port, group: group, interval: interval) }
            }
            while next < min(16, count) { add() }
            while let pair = try await tasks.next() {
                all += pair
                if next < count { add() }
            }
            return all
        }
    }

    static func pair(_ index: Int, port: Int, group: any EventLoopGroup, interval: Int) async throws -> [any Channel] {
        let uuid = "session-\(index)-\(UInt32.random(in: 0...UInt32.max))"
        let confirmed = group.next().makePromise(of: Void.self)
        let a = try await Connect.tcp(group, port: port) { [WatchHandler(), TickerHandler()] }
        try await Connect.send(a, requestRelayFrame(uuid: uuid))
        let b = try await Connect.tcp(group, port: port) { [WatchHandler(firstData: confirmed), TickerHandler()] }
        try await Connect.send(b, requestRelayFrame(uuid: uuid))
        do {
            try await Connect.send(a, Array(repeating: 0x41, count: 64))
            try await confirmed.futureResult.timeout(.seconds(10), "session \(index) pairing").get()
        } catch {
            a.close(promise: nil)
            b.close(promise: nil)
            throw error
        }
        for channel in [a, b] { TickerHandler.start(channel, every: interval) }
        return [a, b]
    }
}

/// Sends 64 bytes every `interval` seconds (first one after a random part of it, so the
/// sessions do not all speak in the same millisecond) until the channel closes.
final class TickerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private var task: RepeatedTask?

    static func start(_ channel: any Channel, every interval: Int) {
        channel.eventLoop.execute {
            guard let handler = try? channel.pipeline.syncOperations.handler(type: TickerHandler.self),
                  let context = try? channel.pipeline.syncOperations.context(handlerType: TickerHandler.self) else { return }
            let bound = NIOLoopBound((handler, context), eventLoop: channel.eventLoop)
            let period = Int64(interval) * 1_000_000_000
            handler.task = channel.eventLoop.scheduleRepeatedTask(initialDelay: .nanoseconds(Int64.random(in: 0..<period)), delay: .nanoseconds(period)) { _ in
                let (handler, context) = bound.value
                var message = context.channel.allocator.buffer(capacity: 64)
                message.writeRepeatingByte(0x42, count: 64)
                context.writeAndFlush(handler.wrapOutboundOut(message), promise: nil)
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { context.fireChannelRead(data) }

    func channelInactive(context: ChannelHandlerContext) {
        task?.cancel()
        task = nil
        context.fireChannelInactive()
    }
}
