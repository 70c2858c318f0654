import ControlSocket
import Foundation
import Logging
import NIOCore
import NIOPosix
import Relay
import RustDeskWire
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

// MARK: A deterministic byte stream

/// A reproducible pseudo-random stream, cut into 64 KiB blocks: block k is a slice of one
/// fixed random pattern chosen by k and the seed, with k ^ seed in its first eight bytes, so
/// every block is distinct and a lost, duplicated or reordered block shows up when the
/// receiver compares what it got with the regenerated stream.
struct TestStream: Sendable {
    static let blockSize = 65_536
    private static let patternSize = 1 << 20

    private static let pattern: [UInt8] = {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var bytes = [UInt8]()
        bytes.reserveCapacity(patternSize + blockSize)
        for _ in 0..<((patternSize + blockSize) / 8) {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            withUnsafeBytes(of: state.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }()

    let seed: UInt64

    /// Block `index` (the last block of a stream is cut by the caller).
    func block(_ index: Int) -> [UInt8] {
        let start = Int((UInt64(index) &* 7919 &+ seed) % UInt64(Self.patternSize))
        var block = Array(Self.pattern[start..<(start + Self.blockSize)])
        withUnsafeBytes(of: (UInt64(index) ^ seed).littleEndian) { tag in
            for i in 0..<8 { block[i] = tag[i] }
        }
        return block
    }

    /// The first `count` bytes of the stream.
    func prefix(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = 0
        while bytes.count < count {
            bytes += block(index).prefix(count - bytes.count)
            index += 1
        }
        return bytes
    }
}

/// Compares received bytes with a regenerated `TestStream`.
struct StreamVerifier {
    let stream: TestStream
    private(set) var offset = 0
    private(set) var firstMismatch: Int?
    private var cachedIndex = -1
    private var cached: [UInt8] = []

    init(stream: TestStream) {
        self.stream = stream
    }

    mutating func consume(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { raw in
            var position = 0
            while position < raw.count {
                let index = offset / TestStream.blockSize
                let within = offset % TestStream.blockSize
                let count = min(TestStream.blockSize - within, raw.count - position)
                if firstMismatch == nil {
                    if index != cachedIndex {
                        cached = stream.block(index)
                        cachedIndex = index
                    }
                    let equal = cached.withUnsafeBytes { expected in
                        memcmp(expected.baseAddress! + within, raw.baseAddress! + position, count) == 0
                    }
                    if !equal { firstMismatch = offset }
                }
                position += count
                offset += count
            }
        }
    }
}

// MARK: A raw TCP client of the relay

/// What one relay client has seen: bytes received (kept or checked against a stream), bytes
/// handed to the kernel, end of input and close.
final class RelayClientState: Sendable {
    struct Inner {
        var receivedCount = 0
        var received: [UInt8] = []
        var verifier: StreamVerifier?
        var sent = 0
        var sawEOF = false
        var inactive = false
        var closedAt: ContinuousClock.Instant?
    }

    let inner: Mutex<Inner>
    /// Received bytes beyond this are counted (and verified) but not kept.
    static let keepLimit = 4 << 20

    init(verifying stream: TestStream?) {
        inner = Mutex(Inner(verifier: stream.map(StreamVerifier.init)))
    }

    func received(_ buffer: ByteBuffer) {
        inner.withLock { state in
            state.receivedCount += buffer.readableBytes
            if state.verifier != nil {
                state.verifier?.consume(buffer)
            } else if state.received.count < Self.keepLimit {
                state.received += buffer.readableBytesView
            }
        }
    }

    func addSent(_ count: Int) { inner.withLock { $0.sent += count } }

    func markEOF() {
        inner.withLock { state in
            state.sawEOF = true
            if state.closedAt == nil { state.closedAt = .now }
        }
    }

    func markInactive() {
        inner.withLock { state in
            state.inactive = true
            if state.closedAt == nil { state.closedAt = .now }
        }
    }
}

/// Counts, verifies and streams on the client channel's event loop. Reading can be paused
/// (a slow reader); streaming writes only while the channel is writable.
final class RelayClientHandler: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let state: RelayClientState
    private var context: ChannelHandlerContext?
    private var paused: Bool
    private var pendingRead = false
    private var stream: TestStream?
    private var total = 0
    private var queued = 0
    private var shutdownAfter = false
    private var pumping = false
    private var pumpAgain = false
    private var streamDone = false
    private var lastWrite: EventLoopFuture<Void>?

    init(state: RelayClientState, paused: Bool) {
        self.state = state
        self.paused = paused
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        state.received(unwrapInboundIn(data))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { state.markEOF() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.markInactive()
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { pump() }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if paused {
            pendingRead = true
        } else {
            context.read()
        }
    }

    func setPaused(_ value: Bool) {
        paused = value
        if !value, pendingRead, let context {
            pendingRead = false
            context.read()
        }
    }

    func startStream(_ stream: TestStream, total: Int, shutdownAfter: Bool) {
        self.stream = stream
        self.total = total
        self.shutdownAfter = shutdownAfter
        pump()
    }

    private func pump() {
        guard let context, let stream, !streamDone else { return }
        guard !pumping else {
            pumpAgain = true
            return
        }
        pumping = true
        defer { pumping = false }
        repeat {
            pumpAgain = false
            while queued < total, context.channel.isWritable {
                let count = min(TestStream.blockSize, total - queued)
                var block = stream.block(queued / TestStream.blockSize)
                if count < block.count { block.removeLast(block.count - count) }
                queued += count
                let promise = context.eventLoop.makePromise(of: Void.self)
                let state = self.state
                promise.futureResult.whenSuccess { state.addSent(count) }
                lastWrite = promise.futureResult
                context.write(wrapOutboundOut(ByteBuffer(bytes: block)), promise: promise)
            }
            context.flush()
        } while pumpAgain && queued < total
        if queued >= total {
            streamDone = true
            // Only once everything is in the kernel: NIO turns an output close on a channel
            // whose input has ended into a full close, dropping queued writes.
            if shutdownAfter, let lastWrite {
                lastWrite.whenComplete { _ in self.context?.close(mode: .output, promise: nil) }
            }
        }
    }
}

/// One plain TCP connection to the relay from a chosen loopback address. Half-closure is
/// allowed, so "closed" means the relay ended our input (EOF) or the whole connection.
final class RelayTestClient: Sendable {
    let channel: any Channel
    let state: RelayClientState
    private let handler: RelayClientHandler

    private init(channel: any Channel, state: RelayClientState, handler: RelayClientHandler) {
        self.channel = channel
        self.state = state
        self.handler = handler
    }

    /// `verifying`: check everything received against this stream instead of keeping it.
    /// `paused`: read nothing until `setReading(true)`.
    static func connect(port: Int, from ip: String = "127.0.0.1", verifying stream: TestStream? = nil,
                        paused: Bool = false) async throws -> RelayTestClient {
        let state = RelayClientState(verifying: stream)
        let handler = RelayClientHandler(state: state, paused: paused)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(to: try SocketAddress(ipAddress: ip, port: 0))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RelayTestClient(channel: channel, state: state, handler: handler)
    }

    /// Connects and sends RequestRelay (and `extra` bytes in the same write).
    static func paired(port: Int, from ip: String = "127.0.0.1", uuid: String, key: String = "", extra: [UInt8] = [],
                       verifying stream: TestStream? = nil, paused: Bool = false) async throws -> RelayTestClient {
        let client = try await connect(port: port, from: ip, verifying: stream, paused: paused)
        try await client.send(requestRelayFrame(uuid: uuid, key: key) + extra)
        return client
    }

    static func requestRelayFrame(uuid: String, key: String = "") -> [UInt8] {
        FrameHeader.frame(RendezvousCoding.encode(.with {
            $0.requestRelay = .with {
                $0.uuid = uuid
                $0.licenceKey = key
            }
        }))!
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    func shutdownOutput() async throws {
        try await channel.close(mode: .output)
    }

    func close() async {
        try? await channel.close()
    }

    func setReading(_ reading: Bool) {
        let handler = self.handler
        channel.eventLoop.execute { handler.setPaused(!reading) }
    }

    /// Writes `total` bytes of `stream` as fast as the connection takes them (then shuts the
    /// output if asked); returns at once.
    func startStream(_ stream: TestStream, total: Int, shutdownAfter: Bool = false) {
        let handler = self.handler
        channel.eventLoop.execute { handler.startStream(stream, total: total, shutdownAfter: shutdownAfter) }
    }

    var received: [UInt8] { state.inner.withLock { $0.received } }
    var receivedCount: Int { state.inner.withLock { $0.receivedCount } }
    var sentCount: Int { state.inner.withLock { $0.sent } }
    var sawEOF: Bool { state.inner.withLock { $0.sawEOF } }
    var isInactive: Bool { state.inner.withLock { $0.inactive } }
    var isClosed: Bool { state.inner.withLock { $0.sawEOF || $0.inactive } }
    var closedAt: ContinuousClock.Instant? { state.inner.withLock { $0.closedAt } }
    var debugState: String {
        state.inner.withLock { "sent \($0.sent), received \($0.receivedCount), EOF \($0.sawEOF), inactive \($0.inactive)" }
    }
    /// Offset of the first byte that differed from the expected stream, nil if none did.
    var firstMismatch: Int? { state.inner.withLock { $0.verifier?.firstMismatch } }

    func waitForBytes(_ count: Int, timeout: Duration = .seconds(5)) async -> Bool {
        await eventually(timeout: timeout, every: .milliseconds(10)) { receivedCount >= count }
    }

    func waitClosed(timeout: Duration = .seconds(5)) async -> Bool {
        await eventually(timeout: timeout, every: .milliseconds(10)) { isClosed }
    }
}

// MARK: Servers

/// Runs `body` against an in-process relay on an ephemeral port, always shutting it down.
func withRelay(_ configure: (inout RelaySettings) -> Void = { _ in },
               _ body: (RelayServer, Int) async throws -> Void) async throws {
    var settings = RelaySettings()
    settings.port = 0
    configure(&settings)
    // Port 0 picks the TCP port; the WebSocket listener then needs that port + 2, which may
    // be taken: try again with another one.
    var attempt = 0
    while true {
        attempt += 1
        let server = RelayServer(settings: settings, logger: Logger(label: "relay-test"))
        do {
            try await server.start()
        } catch {
            await server.shutdown()
            if attempt < 5 { continue }
            throw error
        }
        do {
            guard let port = server.boundPort, port > 0 else { throw TestFailure("the relay reported no bound port") }
            try await body(server, port)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
        return
    }
}

/// A running `homeport relay` (the real binary) on a random free port, with its state
/// directory in `dir/state`.
struct RelayChild {
    let process: HomeportProcess
    let port: Int
    let stateDirectory: String

    /// `portFromEnvironment`: pass PORT=P (the relay must then listen on P+1) instead of -p.
    static func start(_ extra: [String] = [], in dir: TemporaryDirectory, portFromEnvironment: Bool = false,
                      environment: [String: String] = [:], workingDirectory: String? = nil) async throws -> RelayChild {
        let state = dir.file("state")
        var lastLog = ""
        for attempt in 0..<10 {
            let base = TestPorts.random()
            var arguments = ["relay", "--state-dir", state] + extra
            var env = environment
            let port: Int
            if portFromEnvironment {
                env["PORT"] = "\(base)"
                port = base + 1
            } else {
                arguments += ["-p", "\(base)"]
                port = base
            }
            let process = try await HomeportProcess.start(arguments, logPath: dir.file("relay-\(attempt).log"), environment: env,
                                                          workingDirectory: workingDirectory)
            let settled = await eventually(timeout: .seconds(20)) {
                !processExists(process.pid) || process.log.contains("relay listening on")
            }
            if settled, processExists(process.pid) {
                let child = RelayChild(process: process, port: port, stateDirectory: state)
                // The admin socket is bound right after the listener.
                _ = await eventually(timeout: .seconds(5)) { FileManager.default.fileExists(atPath: child.adminSocket) }
                return child
            }
            _ = try await process.exitStatus(within: .seconds(5))
            lastLog = process.log
            if !lastLog.contains("already in use") { break }
        }
        throw TestFailure("homeport relay did not start; log:\n\(lastLog)")
    }

    var adminSocket: String { stateDirectory + "/relay.sock" }

    /// One admin command on `relay.sock`, its JSON answer decoded.
    func admin(_ command: String) async throws -> Any {
        let reply = try await ControlClient.request(socketPath: adminSocket, command: command)
        return try JSONSerialization.jsonObject(with: Data(reply), options: [.fragmentsAllowed])
    }

    /// Resident memory of the child in KiB (VmRSS).
    var residentKiB: Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(process.pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return line.split(separator: " ").compactMap { Int($0) }.first
    }

    func stop(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let code = try await process.terminate()
        #expect(code == 0, "exit after SIGTERM; log:\n\(process.log)", sourceLocation: sourceLocation)
        // An orderly stop is not a warning (it logged "the admin socket stopped: CancellationError()").
        #expect(!process.log.contains("admin socket stopped"), "\(process.log)", sourceLocation: sourceLocation)
    }
}

/// Bytes per second received by `clients` together between `after` and `after + window`,
/// measured from `start`.
func measuredRate(of clients: [RelayTestClient], from start: ContinuousClock.Instant, after warmUp: Duration,
                  window: Duration) async -> Double {
    try? await Task.sleep(until: start + warmUp)
    let t0 = ContinuousClock.now
    let b0 = clients.reduce(0) { $0 + $1.receivedCount }
    try? await Task.sleep(until: start + warmUp + window)
    let t1 = ContinuousClock.now
    let b1 = clients.reduce(0) { $0 + $1.receivedCount }
    let seconds = Double((t1 - t0).components.seconds) + Double((t1 - t0).components.attoseconds) / 1e18
    return Double(b1 - b0) / seconds
}

/// A fresh uuid for one pairing.
func relayUUID() -> String { UUID().uuidString.lowercased() }
