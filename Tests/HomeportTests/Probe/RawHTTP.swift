import NIOCore
import NIOPosix
import Synchronization
import Testing

/// A TCP client that writes HTTP by hand: for what URLSession will not send (a body without
/// Content-Length, a request a byte at a time).
final class RawHTTP: Sendable {
    private let channel: any Channel
    private let received = Mutex<[UInt8]>([])
    private let closed = Mutex(false)

    private init(channel: any Channel) {
        self.channel = channel
    }

    static func connect(port: Int, host: String = "127.0.0.1") async throws -> RawHTTP {
        let box = Mutex<RawHTTP?>(nil)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector { event in
                        guard let client = box.withLock({ $0 }) else { return }
                        switch event {
                        case .bytes(let bytes): client.received.withLock { $0 += bytes }
                        case .closed: client.closed.withLock { $0 = true }
                        }
                    })
                }
            }
            .connect(host: host, port: port).get()
        let client = RawHTTP(channel: channel)
        box.withLock { $0 = client }
        return client
    }

    var isClosed: Bool { closed.withLock { $0 } || !channel.isActive }
    var text: String { String(decoding: received.withLock { $0 }, as: UTF8.self) }

    /// Writes `bytes`; false when the connection is gone.
    func send(_ bytes: [UInt8]) async -> Bool {
        guard !isClosed else { return false }
        do {
            try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
            return true
        } catch {
            return false
        }
    }

    /// Sends `request` and returns what came back once the server answered or closed (10 s at most).
    /// `untilClosed`: wait for the server to close (the whole body of a `Connection: close` answer).
    static func exchange(port: Int, host: String = "127.0.0.1", request: [UInt8], untilClosed: Bool = false) async throws -> String {
        let client = try await connect(port: port, host: host)
        _ = await client.send(request)
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, !client.isClosed, untilClosed || !client.text.contains("\r\n\r\n") {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(100))
        client.channel.close(promise: nil)
        return client.text
    }

    /// A chunked POST of `bytes` spaces to the check URL.
    static func chunkedPost(bytes: Int) -> [UInt8] {
        var request = Array("POST /v1/check HTTP/1.1\r\nHost: probe\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        var left = bytes
        while left > 0 {
            let size = min(left, 65536)
            request += Array((String(size, radix: 16) + "\r\n").utf8) + [UInt8](repeating: 0x20, count: size) + Array("\r\n".utf8)
            left -= size
        }
        return request + Array("0\r\n\r\n".utf8)
    }

    private enum Event { case bytes([UInt8]), closed }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let onEvent: @Sendable (Event) -> Void

        init(_ onEvent: @escaping @Sendable (Event) -> Void) {
            self.onEvent = onEvent
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            onEvent(.bytes(Array(unwrapInboundIn(data).readableBytesView)))
        }

        func channelInactive(context: ChannelHandlerContext) {
            onEvent(.closed)
            context.fireChannelInactive()
        }
    }
}
