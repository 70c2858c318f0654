import NIOCore
import NIOPosix

/// Pushes every inbound item into an inbox; the end of the connection finishes it.
final class InboxHandler<In: Sendable>: ChannelInboundHandler, Sendable {
    typealias InboundIn = In
    let inbox: Inbox<In>

    init(_ inbox: Inbox<In>) { self.inbox = inbox }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inbox.append(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// One TCP connection from a chosen loopback address to 127.0.0.1, read as a byte stream:
/// RustDesk frames, HTTP headers or WebSocket frames are cut from `pending` as they complete.
/// Used by one task at a time.
final class StreamClient {
    let channel: any Channel
    private let inbox: Inbox<ByteBuffer>
    private var pending = ByteBuffer()

    private init(channel: any Channel, inbox: Inbox<ByteBuffer>) {
        self.channel = channel
        self.inbox = inbox
    }

    static func connect(_ group: any EventLoopGroup, port: Int, from source: String,
                        timeout: TimeAmount = .seconds(5)) async throws -> StreamClient {
        let inbox = Inbox<ByteBuffer>()
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.allowRemoteHalfClosure, value: false)
            .connectTimeout(timeout)
            .bind(to: try SocketAddress(ipAddress: source, port: 0))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(InboxHandler<ByteBuffer>(inbox))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return StreamClient(channel: channel, inbox: inbox)
    }

    var isClosed: Bool { inbox.isFinished && pending.readableBytes == 0 && !channel.isActive }

    func send(_ bytes: [UInt8]) async throws {
        try await send(channel.allocator.buffer(bytes: bytes))
    }

    /// Written to the kernel within `timeout`, or the connection is closed (a server that
    /// stops reading without closing must not hold a worker past the end of the run).
    func send(_ buffer: ByteBuffer, timeout: TimeAmount = .seconds(30)) async throws {
        let channel = self.channel
        let written = channel.eventLoop.makePromise(of: Void.self)
        channel.writeAndFlush(buffer, promise: written)
        let timer = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        written.futureResult.whenComplete { _ in timer.cancel() }
        try await written.futureResult.get()
    }

    func close() async {
        try? await channel.close().get()
    }

    /// Reads more into `pending`; false on timeout or end of stream.
    private func fill(until end: ContinuousClock.Instant) async -> Bool {
        let left = end - ContinuousClock.now
        guard left > .zero, var chunk = await inbox.next(timeout: left) else { return false }
        pending.writeBuffer(&chunk)
        return true
    }

    /// Waits until the server closes the connection (true) or `timeout` passes (false);
    /// whatever arrives meanwhile is discarded.
    func waitClosed(timeout: Duration) async -> Bool {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if inbox.isFinished { return true }
            _ = await inbox.next(timeout: min(end - ContinuousClock.now, .seconds(1)))
            pending.clear()
        }
        return inbox.isFinished
    }

    /// Exactly `count` raw bytes, or nil.
    func read(count: Int, timeout: Duration) async -> [UInt8]? {
        let end = ContinuousClock.now + timeout
        while pending.readableBytes < count {
            guard await fill(until: end) else { return nil }
        }
        return pending.readBytes(length: count)
    }

    /// The payload of the next RustDesk TCP frame (docs/rustdesk-protocol.md#tcp-frames), or nil.
    func readFrame(timeout: Duration, maximum: Int = 1 << 20) async -> [UInt8]? {
        let end = ContinuousClock.now + timeout
        while true {
            if let first = pending.getInteger(at: pending.readerIndex, as: UInt8.self) {
                let headerLength = Int(first & 0x03) + 1
                if pending.readableBytes >= headerLength,
                   let header = pending.getBytes(at: pending.readerIndex, length: headerLength) {
                    var value = 0
                    for (index, byte) in header.enumerated() { value |= Int(byte) << (8 * index) }
                    let length = value >> 2
                    guard length <= maximum else { return nil }
                    if pending.readableBytes >= headerLength + length {
                        pending.moveReaderIndex(forwardBy: headerLength)
                        return pending.readBytes(length: length)
                    }
                }
            }
            guard await fill(until: end) else { return nil }
        }
    }

    /// The HTTP response head (up to the blank line), or nil.
    func readHTTPHead(timeout: Duration) async -> String? {
        let end = ContinuousClock.now + timeout
        let terminator: [UInt8] = [13, 10, 13, 10]
        while true {
            let view = Array(pending.readableBytesView)
            if view.count >= 4 {
                for index in 0...(view.count - 4) where Array(view[index..<(index + 4)]) == terminator {
                    pending.moveReaderIndex(forwardBy: index + 4)
                    return String(decoding: view[0..<index], as: UTF8.self)
                }
            }
            guard view.count < 16_384, await fill(until: end) else { return nil }
        }
    }

    /// The next WebSocket frame from the server (unmasked), or nil.
    func readWebSocketFrame(timeout: Duration, maximum: Int = 1 << 20) async -> WebSocketWire.Frame? {
        let end = ContinuousClock.now + timeout
        while true {
            switch WebSocketWire.parse(&pending, maximum: maximum) {
            case .frame(let frame): return frame
            case .invalid: return nil
            case .needMore: guard await fill(until: end) else { return nil }
            }
        }
    }
}

/// A UDP socket on a chosen loopback address; what arrives goes to `inbox`.
final class UDPSocket: Sendable {
    let channel: any Channel
    let inbox: Inbox<AddressedEnvelope<ByteBuffer>>?
    let server: SocketAddress

    private init(channel: any Channel, inbox: Inbox<AddressedEnvelope<ByteBuffer>>?, server: SocketAddress) {
        self.channel = channel
        self.inbox = inbox
        self.server = server
    }

    /// `keepAnswers` false: answers are read and dropped (the flood sockets).
    static func bind(_ group: any EventLoopGroup, ip: String, serverPort: Int, keepAnswers: Bool) async throws -> UDPSocket {
        let inbox = keepAnswers ? Inbox<AddressedEnvelope<ByteBuffer>>() : nil
        let channel = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_rcvbuf), value: 1 << 20)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let inbox {
                        try channel.pipeline.syncOperations.addHandler(InboxHandler<AddressedEnvelope<ByteBuffer>>(inbox))
                    } else {
                        try channel.pipeline.syncOperations.addHandler(DropHandler())
                    }
                }
            }
            .bind(host: ip, port: 0).get()
        return UDPSocket(channel: channel, inbox: inbox, server: try SocketAddress(ipAddress: "127.0.0.1", port: serverPort))
    }

    /// Queues a datagram; `flush` sends what is queued.
    func write(_ bytes: [UInt8]) {
        let envelope = AddressedEnvelope(remoteAddress: server, data: channel.allocator.buffer(bytes: bytes))
        channel.write(envelope, promise: nil)
    }

    func flush() { channel.flush() }

    func send(_ bytes: [UInt8]) async throws {
        let envelope = AddressedEnvelope(remoteAddress: server, data: channel.allocator.buffer(bytes: bytes))
        try await channel.writeAndFlush(envelope).get()
    }

    func close() async { try? await channel.close().get() }
}

/// Reads and forgets (flood sockets; ICMP errors are ignored too).
final class DropHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}
