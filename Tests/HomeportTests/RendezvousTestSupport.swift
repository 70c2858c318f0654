import Foundation
import Logging
import NIOCore
import NIOPosix
import Rendezvous
import RustDeskWire
import Synchronization

/// An in-process rendezvous server on a free base port, with its own key and database.
struct RendezvousHarness {
    let dir: TemporaryDirectory
    let server: RendezvousServer
    let listeners: RendezvousServer.Listeners
    let clock: ManualClock?
    let keys: KeyOption

    var port: Int { server.settings.port }

    static func start(key: String = "-", clock: ManualClock? = nil, wallClock: ManualClock? = nil, reusing: TemporaryDirectory? = nil,
                      configure: (inout RendezvousSettings) -> Void = { _ in }) async throws -> RendezvousHarness {
        let dir = reusing ?? TemporaryDirectory()
        var lastError: (any Error)?
        for _ in 0..<20 {
            var settings = RendezvousSettings(keyDirectory: dir.path, databasePath: dir.file("db_v2.sqlite3"))
            settings.port = TestPorts.random()
            settings.key = key
            configure(&settings)
            let keys = try KeyOption.resolve(settings.key, keyDirectory: dir.path)
            let store = try PeerStore(path: settings.databasePath)
            let server = RendezvousServer(settings: settings, keys: keys, store: store, clock: clock ?? MonotonicClock(),
                                          wallClock: wallClock ?? WallClock(), logger: Logger(label: "test"))
            do {
                let listeners = try await server.start()
                return RendezvousHarness(dir: dir, server: server, listeners: listeners, clock: clock, keys: keys)
            } catch {
                lastError = error
            }
        }
        throw lastError ?? TestFailure("no free port")
    }

    func stop() async {
        await listeners.close()
        dir.remove()
    }
}

/// Messages received on a test socket, in order, waited for with a timeout that does not end
/// the stream.
final class Inbox<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item] = []
        var finished = false
        var waiter: (id: Int, continuation: CheckedContinuation<Item?, Never>)?
        var nextID = 0
    }

    private let state = Mutex(State())

    func append(_ item: Item) {
        let waiting = state.withLock { state -> CheckedContinuation<Item?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            state.items.append(item)
            return nil
        }
        waiting?.resume(returning: item)
    }

    func finish() {
        let waiting = state.withLock { state -> CheckedContinuation<Item?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter?.continuation
        }
        waiting?.resume(returning: nil)
    }

    var isFinished: Bool { state.withLock { $0.finished && $0.items.isEmpty } }

    /// The next item, or nil on timeout or at the end of the stream.
    func next(timeout: Duration) async -> Item? {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        var timer: Task<Void, Never>?
        let item = await withCheckedContinuation { continuation in
            let immediate = state.withLock { state -> Item?? in
                if !state.items.isEmpty { return .some(state.items.removeFirst()) }
                if state.finished { return .some(nil) }
                state.waiter = (id, continuation)
                return .none
            }
            if let immediate {
                continuation.resume(returning: immediate)
            } else {
                // Started only once the waiter is registered, so an early expiry cannot be lost.
                timer = Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    self?.expire(id)
                }
            }
        }
        timer?.cancel()
        return item
    }

    private func expire(_ id: Int) {
        let waiting = state.withLock { state -> CheckedContinuation<Item?, Never>? in
            guard let waiter = state.waiter, waiter.id == id else { return nil }
            state.waiter = nil
            return waiter.continuation
        }
        waiting?.resume(returning: nil)
    }
}

final class InboxHandler<In: Sendable>: ChannelInboundHandler, Sendable {
    typealias InboundIn = In
    let inbox: Inbox<In>

    init(_ inbox: Inbox<In>) {
        self.inbox = inbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inbox.append(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.finish()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// A UDP socket on a chosen loopback address, speaking RendezvousMessage datagrams.
final class UDPPeer: Sendable {
    let channel: any Channel
    let inbox = Inbox<AddressedEnvelope<ByteBuffer>>()

    init(ip: String = "127.0.0.1") async throws {
        let inbox = self.inbox
        channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(InboxHandler(inbox))
                }
            }
            .bind(host: ip, port: 0).get()
    }

    var address: PeerAddress? { channel.localAddress.flatMap(PeerAddress.init) }

    func send(_ message: Hbb_RendezvousMessage, to port: Int) async throws {
        try await sendRaw(RendezvousCoding.encode(message), to: port)
    }

    func sendRaw(_ bytes: [UInt8], to port: Int) async throws {
        let destination = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: destination, data: ByteBuffer(bytes: bytes)))
    }

    /// The next datagram (raw bytes and its source port), or nil after `timeout`.
    func receiveRaw(timeout: Duration = .seconds(2)) async -> (bytes: [UInt8], port: Int)? {
        guard let envelope = await inbox.next(timeout: timeout) else { return nil }
        return (Array(envelope.data.readableBytesView), envelope.remoteAddress.port ?? 0)
    }

    func receive(timeout: Duration = .seconds(2)) async -> Hbb_RendezvousMessage? {
        guard let raw = await receiveRaw(timeout: timeout) else { return nil }
        return RendezvousCoding.decode(raw.bytes)
    }

    func close() async {
        try? await channel.close()
    }
}

/// A TCP connection to the server speaking length-prefixed frames.
final class TCPPeer: Sendable {
    let channel: any Channel
    let inbox = Inbox<ByteBuffer>()

    init(port: Int, from ip: String = "127.0.0.1", rawFrames: Bool = false) async throws {
        let inbox = self.inbox
        channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(to: try SocketAddress(ipAddress: ip, port: 0))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maximumPayload: 1 << 20)))
                    if !rawFrames { try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(FrameEncoder())) }
                    try channel.pipeline.syncOperations.addHandler(InboxHandler(inbox))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
    }

    var localAddress: PeerAddress? { channel.localAddress.flatMap(PeerAddress.init) }
    var localPort: Int { channel.localAddress?.port ?? 0 }

    func send(_ message: Hbb_RendezvousMessage) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: RendezvousCoding.encode(message)))
    }

    /// Writes bytes as they are (only meaningful with `rawFrames: true`).
    func sendRaw(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// The next frame's payload, or nil on timeout or close.
    func receiveRaw(timeout: Duration = .seconds(2)) async -> [UInt8]? {
        await inbox.next(timeout: timeout).map { Array($0.readableBytesView) }
    }

    func receive(timeout: Duration = .seconds(2)) async -> Hbb_RendezvousMessage? {
        guard let bytes = await receiveRaw(timeout: timeout) else { return nil }
        return RendezvousCoding.decode(bytes)
    }

    /// Whether the server closed the connection within `timeout`.
    func isClosed(within timeout: Duration = .seconds(2)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if inbox.isFinished { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return inbox.isFinished
    }

    func close() async {
        try? await channel.close()
    }
}
