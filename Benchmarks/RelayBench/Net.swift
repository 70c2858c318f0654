import NIOCore
import NIOPosix
import RustDeskWire
import Synchronization

// The client side of every mode: the same sender and receiver handlers whatever sits between
// them (homeport relay, socat, nothing), and the RequestRelay frame the relay wants first.

let chunkSize = 256 * 1024

/// The one frame a relay client sends first (docs/rustdesk-protocol.md#relay-pairing): RequestRelay {uuid, licence_key}.
func requestRelayFrame(uuid: String, key: String = "") -> [UInt8] {
    FrameHeader.frame(RendezvousCoding.encode(.with {
        $0.requestRelay = .with {
            $0.uuid = uuid
            $0.licenceKey = key
        }
    })) ?? []
}

/// Large reads (one fixed 256 KiB buffer per read, up to 16 reads per wake-up) and a write
/// buffer of up to 1 MiB before back-pressure: the client must not be what limits throughput.
extension ClientBootstrap {
    func bulkOptions() -> ClientBootstrap {
        channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: chunkSize))
            .channelOption(.maxMessagesPerRead, value: 16)
            .channelOption(.writeBufferWaterMark, value: .init(low: 512 * 1024, high: 1024 * 1024))
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connectTimeout(.seconds(5))
    }
}

extension ServerBootstrap {
    func bulkOptions() -> ServerBootstrap {
        serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 1024)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: chunkSize))
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 512 * 1024, high: 1024 * 1024))
            .childChannelOption(.allowRemoteHalfClosure, value: true)
    }
}

/// Receiver: counts (and optionally checks) what arrives; succeeds `done` once `expected`
/// bytes are in, fails it if the connection ends first.
final class SinkHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let expected: Int
    private let done: EventLoopPromise<Int>
    private let pattern: Pattern?
    private var received = 0
    private var finished = false

    init(expected: Int, done: EventLoopPromise<Int>, pattern: Pattern? = nil) {
        self.expected = expected
        self.done = done
        self.pattern = pattern
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if let pattern, !finished, !pattern.matches(buffer.readableBytesView, at: received) {
            finish(.failure(BenchError("received bytes differ from those sent (at offset ≥ \(received))")))
            context.close(promise: nil)
            return
        }
        received += buffer.readableBytes
        if received >= expected {
            if received > expected {
                finish(.failure(BenchError("received \(received) bytes, more than the \(expected) sent")))
            } else {
                finish(.success(received))
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(BenchError("connection closed after \(received) of \(expected) bytes")))
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed, received < expected {
            finish(.failure(BenchError("end of stream after \(received) of \(expected) bytes")))
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.close(promise: nil)
    }

    private func finish(_ result: Result<Int, any Error>) {
        guard !finished else { return }
        finished = true
        done.completeWith(result)
    }
}

/// Sender: once started, writes `total` bytes in 256 KiB writes while the channel is
/// writable, flushing after each burst; succeeds `done` when the last byte is handed to the
/// kernel.
final class SourceHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var remaining = 0
    private var written = 0
    private var chunk: ByteBuffer
    private var pattern: Pattern?
    private var done: EventLoopPromise<Void>?
    private var context: ChannelHandlerContext?

    init() {
        var buffer = ByteBufferAllocator().buffer(capacity: chunkSize)
        buffer.writeRepeatingByte(0x5A, count: chunkSize)
        chunk = buffer
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// On the channel's loop. With a pattern the bytes are generated (slower: for the soak).
    func start(total: Int, pattern: Pattern? = nil, done: EventLoopPromise<Void>) {
        remaining = total
        self.pattern = pattern
        self.done = done
        pump()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { pump() }
        context.fireChannelWritabilityChanged()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func channelInactive(context: ChannelHandlerContext) {
        if remaining > 0 { done?.fail(BenchError("connection closed with \(remaining) bytes left to send")) }
        done = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        done?.fail(error)
        done = nil
        context.close(promise: nil)
    }

    private func pump() {
        guard let context, done != nil else { return }
        var wrote = false
        while remaining > 0, context.channel.isWritable {
            let count = min(remaining, chunkSize)
            let buffer: ByteBuffer
            if let pattern {
                buffer = pattern.buffer(offset: written, count: count, allocator: context.channel.allocator)
            } else {
                buffer = count == chunkSize ? chunk : chunk.getSlice(at: 0, length: count)!
            }
            remaining -= count
            written += count
            context.write(wrapOutboundOut(buffer), promise: nil)
            wrote = true
        }
        if wrote {
            if remaining == 0 {
                let done = self.done
                self.done = nil
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).cascade(to: done)
            } else {
                context.flush()
            }
        } else if remaining == 0 {
            done?.succeed()
            done = nil
        }
    }
}

/// Deterministic bytes (for checking that the relay copies them unmodified): byte i of a
/// stream is a function of the seed and i.
struct Pattern: Sendable {
    let seed: UInt8

    @inline(__always) func byte(_ offset: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: offset &* 131 &+ (offset >> 9)) ^ seed
    }

    func buffer(offset: Int, count: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: count)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
            for index in 0..<count { raw[index] = byte(offset + index) }
            return count
        }
        return buffer
    }

    func matches(_ bytes: ByteBufferView, at offset: Int) -> Bool {
        var position = offset
        for value in bytes {
            if value != byte(position) { return false }
            position += 1
        }
        return true
    }
}

/// Counts the bytes of a channel and when it ended: for connections the relay should close
/// (malformed, wrong key, silent) and for small-message sessions.
final class WatchHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private(set) var received = 0
    private(set) var lastReceived: NIODeadline?
    private let closed: EventLoopPromise<Void>?
    private var firstData: EventLoopPromise<Void>?

    init(closed: EventLoopPromise<Void>? = nil, firstData: EventLoopPromise<Void>? = nil) {
        self.closed = closed
        self.firstData = firstData
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += unwrapInboundIn(data).readableBytes
        lastReceived = .now()
        firstData?.succeed()
        firstData = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { context.close(promise: nil) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed?.succeed()
        firstData?.fail(BenchError("closed before any byte arrived"))
        firstData = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

enum Connect {
    /// Connects to 127.0.0.1:`port` (optionally from `source`, another loopback address),
    /// with the handlers `makeHandlers` returns.
    static func tcp(_ group: any EventLoopGroup, port: Int, source: String? = nil, bulk: Bool = false,
                    _ makeHandlers: @escaping @Sendable () -> [any ChannelHandler]) async throws -> any Channel {
        var bootstrap = ClientBootstrap(group: group)
        bootstrap = bulk ? bootstrap.bulkOptions() : bootstrap
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connectTimeout(.seconds(5))
        if let source { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0)) }
        return try await bootstrap
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandlers(makeHandlers()) }
            }
            .connect(host: "127.0.0.1", port: port).get()
    }

    static func send(_ channel: any Channel, _ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).get()
    }

    /// Starts the SourceHandler of `channel`; the future completes when all is written.
    static func startSending(_ channel: any Channel, total: Int, pattern: Pattern? = nil) -> EventLoopFuture<Void> {
        let done = channel.eventLoop.makePromise(of: Void.self)
        channel.eventLoop.execute {
            do {
                try channel.pipeline.syncOperations.handler(type: SourceHandler.self).start(total: total, pattern: pattern, done: done)
            } catch {
                done.fail(error)
            }
        }
        return done.futureResult
    }

    /// SO_LINGER 0: the next close sends a RST (an abrupt end, for the soak).
    static func setAbortiveClose(_ channel: any Channel) async {
        try? await (channel as? any SocketOptionProvider)?.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
    }
}

extension EventLoopFuture where Value: Sendable {
    /// This future, or a failure after `timeout`.
    func timeout(_ timeout: TimeAmount, _ what: @autoclosure () -> String) -> EventLoopFuture<Value> {
        let promise = eventLoop.makePromise(of: Value.self)
        let message = what()
        let timer = eventLoop.scheduleTask(in: timeout) { promise.fail(BenchError("timed out after \(timeout.nanoseconds / 1_000_000_000) s: \(message)")) }
        whenComplete { result in
            timer.cancel()
            promise.completeWith(result)
        }
        return promise.futureResult
    }
}

/// Counters shared between the load tasks of a mode.
final class Tally: Sendable {
    private let values = Mutex<[String: Int]>([:])

    func add(_ key: String, _ amount: Int = 1) { values.withLock { $0[key, default: 0] += amount } }
    func get(_ key: String) -> Int { values.withLock { $0[key] ?? 0 } }
    func max(_ key: String, _ value: Int) { values.withLock { $0[key] = Swift.max($0[key] ?? 0, value) } }
    var snapshot: [String: Int] { values.withLock { $0 } }
}
