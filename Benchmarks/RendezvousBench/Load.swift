import NIOCore
import NIOPosix
import Synchronization

// The two load patterns. Each socket is one NIO DatagramChannel whose handler keeps a bounded
// number of requests outstanding; writes are flushed once per read burst, so NIO sends them
// with one sendmmsg, and the flood sockets read with recvmmsg (vector reads).

// MARK: Phase A: RegisterPk from many source IPs

struct PopulateCounts: Sendable {
    var sent = 0
    var ok = 0
    /// Non-OK RegisterPkResponse results (TOO_FREQUENT = 2, UUID_MISMATCH = 3, …) by value.
    var refused: [Int: Int] = [:]
    var other = 0
    /// Answers beyond the number of ids the socket registers (a retransmission answered twice).
    var duplicates = 0
    var retransmitted = 0
    /// Ids given up on after the retries (the socket went silent).
    var gaveUp = 0

    static func + (a: Self, b: Self) -> Self {
        var sum = a
        sum.sent += b.sent
        sum.ok += b.ok
        sum.refused.merge(b.refused, uniquingKeysWith: +)
        sum.other += b.other
        sum.duplicates += b.duplicates
        sum.retransmitted += b.retransmitted
        sum.gaveUp += b.gaveUp
        return sum
    }
}

/// One source IP registering its share of ids (at most 30, under the server's per-IP limit of
/// 32 per minute), `window` at a time; answers are taken in order (they carry no id).
final class PopulateHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let messages: ArraySlice<ByteBuffer>
    private let server: SocketAddress
    private let window: Int
    private let timeout: TimeAmount
    private let maxRetries = 3
    private let done: EventLoopPromise<PopulateCounts>
    private var acked = 0
    private var sentUpTo = 0
    private var retries = 0
    private var lastProgress = NIODeadline.now()
    private var counts = PopulateCounts()
    private var finished = false
    private var timer: Scheduled<Void>?

    init(messages: ArraySlice<ByteBuffer>, server: SocketAddress, window: Int, timeout: TimeAmount, done: EventLoopPromise<PopulateCounts>) {
        self.messages = messages
        self.server = server
        self.window = max(1, window)
        self.timeout = timeout
        self.done = done
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        lastProgress = .now()
        sendMore(context: context)
        context.flush()
        arm(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        let answer = Wire.classify(unwrapInboundIn(data).data)
        guard acked < messages.count else {
            counts.duplicates += 1
            return
        }
        switch answer {
        case .registerPk(result: 0): counts.ok += 1
        case .registerPk(let result): counts.refused[result, default: 0] += 1
        default:
            counts.other += 1
            return
        }
        acked += 1
        retries = 0
        lastProgress = .now()
        if acked == messages.count {
            finish()
        } else {
            sendMore(context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ECONNREFUSED (ICMP port unreachable) if the server went away: the timer gives up.
    }

    private func sendMore(context: ChannelHandlerContext) {
        while sentUpTo < messages.count, sentUpTo - acked < window {
            send(messages[messages.startIndex + sentUpTo], context: context)
            sentUpTo += 1
        }
    }

    private func send(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        counts.sent += 1
        context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: server, data: buffer)), promise: nil)
    }

    /// Retransmits what is outstanding when nothing came back for `timeout`.
    private func arm(context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(timeout.nanoseconds / 4)) {
            self.tick(context: context)
        }
    }

    private func tick(context: ChannelHandlerContext) {
        guard !finished else { return }
        if NIODeadline.now() - lastProgress >= timeout {
            if retries >= maxRetries {
                counts.gaveUp += messages.count - acked
                return finish()
            }
            retries += 1
            lastProgress = .now()
            for index in acked..<sentUpTo {
                counts.retransmitted += 1
                send(messages[messages.startIndex + index], context: context)
            }
            context.flush()
        }
        arm(context: context)
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        timer?.cancel()
        done.succeed(counts)
    }
}

// MARK: Phase B: RegisterPeer flood from a few sockets

struct FloodCounts: Sendable {
    var sent = 0
    /// Answers that arrived before the stop deadline (the throughput figure).
    var answeredInTime = 0
    /// All answers, including those arriving in the grace period after the stop.
    var answered = 0
    /// `request_pk = true`: the id is not registered (should be 0 after phase A).
    var requestPk = 0
    var other = 0
    /// Times a socket went silent with requests outstanding and its window was refilled.
    var stalls = 0

    static func + (a: Self, b: Self) -> Self {
        var sum = a
        sum.sent += b.sent
        sum.answeredInTime += b.answeredInTime
        sum.answered += b.answered
        sum.requestPk += b.requestPk
        sum.other += b.other
        sum.stalls += b.stalls
        return sum
    }
}

/// Keeps `window` RegisterPeer requests outstanding from `startAt` to `stopAt`, round-robin over
/// the registered ids (this socket takes every `step`-th one, starting at `first`).
final class FloodHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let messages: [ByteBuffer]
    private var cursor: Int
    private let step: Int
    private let server: SocketAddress
    private let window: Int
    private let startAt: NIODeadline
    private let stopAt: NIODeadline
    private let done: EventLoopPromise<FloodCounts>
    private var outstanding = 0
    private var counts = FloodCounts()
    private var running = false
    private var finished = false
    private var answeredAtLastCheck = 0
    static let stallCheck = TimeAmount.milliseconds(50)
    static let grace = TimeAmount.milliseconds(300)

    init(messages: [ByteBuffer], first: Int, step: Int, server: SocketAddress, window: Int,
         startAt: NIODeadline, stopAt: NIODeadline, done: EventLoopPromise<FloodCounts>) {
        self.messages = messages
        self.cursor = first % messages.count
        self.step = step
        self.server = server
        self.window = max(1, window)
        self.startAt = startAt
        self.stopAt = stopAt
        self.done = done
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        let loop = context.eventLoop.assumeIsolated()
        loop.scheduleTask(deadline: startAt) {
            self.running = true
            self.fill(context: context)
            self.scheduleStallCheck(context: context)
        }
        loop.scheduleTask(deadline: stopAt) {
            self.running = false
            loop.scheduleTask(in: Self.grace) { self.finish() }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Wire.classify(unwrapInboundIn(data).data) {
        case .registerPeer(requestPk: false): break
        case .registerPeer(requestPk: true): counts.requestPk += 1
        default:
            counts.other += 1
            return
        }
        counts.answered += 1
        if running { counts.answeredInTime += 1 }
        if outstanding > 0 { outstanding -= 1 }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        fill(context: context)
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {}

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    private func fill(context: ChannelHandlerContext) {
        guard running, outstanding < window else { return }
        while outstanding < window {
            context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: server, data: messages[cursor])), promise: nil)
            cursor += step
            if cursor >= messages.count { cursor -= messages.count }
            outstanding += 1
            counts.sent += 1
        }
        context.flush()
    }

    /// Answers carry no id, so a lost datagram is noticed only as silence: when a socket got
    /// nothing for `stallCheck` its outstanding requests are written off and the window refilled.
    private func checkStall(context: ChannelHandlerContext) {
        guard running else { return }
        if counts.answered == answeredAtLastCheck, outstanding > 0 {
            counts.stalls += 1
            outstanding = 0
            fill(context: context)
        }
        answeredAtLastCheck = counts.answered
        scheduleStallCheck(context: context)
    }

    private func scheduleStallCheck(context: ChannelHandlerContext) {
        context.eventLoop.assumeIsolated().scheduleTask(in: Self.stallCheck) {
            self.checkStall(context: context)
        }
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        running = false
        done.succeed(counts)
    }
}

// MARK: Probes

/// Records whether the server sent the expected answer (RegisterPeer for an unknown id →
/// request_pk = true; RegisterPk → OK).
final class ProbeHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    private let expected: Wire.Answer
    private let answered = Atomic<Bool>(false)

    init(expecting expected: Wire.Answer) {
        self.expected = expected
    }

    var hasAnswered: Bool { answered.load(ordering: .acquiring) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if Wire.classify(unwrapInboundIn(data).data) == expected {
            answered.store(true, ordering: .releasing)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}

// MARK: Drivers

enum Load {
    static func bind<Handler: ChannelHandler & Sendable>(
        group: any EventLoopGroup, host: String, receiveBuffer: Int = 0, vectorReads: Int = 0, handler: Handler
    ) async throws -> any Channel {
        try await bind(group: group, host: host, receiveBuffer: receiveBuffer, vectorReads: vectorReads) { handler }
    }

    /// A UDP socket on `host`:ephemeral with the handler `make()` builds on its event loop.
    static func bind(
        group: any EventLoopGroup, host: String, receiveBuffer: Int = 0, vectorReads: Int = 0,
        make: @escaping @Sendable () -> any ChannelHandler
    ) async throws -> any Channel {
        var bootstrap = DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(make())
                }
            }
        if receiveBuffer > 0 {
            bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBuffer))
        }
        if vectorReads > 1 {
            bootstrap = bootstrap
                .channelOption(.datagramVectorReadMessageCount, value: vectorReads)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: vectorReads * 256))
        }
        return try await bootstrap.bind(host: host, port: 0).get()
    }

    /// Source address of populate block `block`: 127.1.x.y, y in 1…250.
    static func populateSource(_ block: Int) -> String {
        "127.1.\(block / 250).\(block % 250 + 1)"
    }

    /// Registers every message in `messages` (RegisterPk, one per peer) from blocks of `perIP`
    /// per source IP, `concurrency` sockets open at a time.
    static func populate(group: any EventLoopGroup, server: SocketAddress, messages: [ByteBuffer], perIP: Int,
                         concurrency: Int, window: Int, timeout: TimeAmount) async throws -> PopulateCounts {
        let blocks = (messages.count + perIP - 1) / perIP
        return try await withThrowingTaskGroup(of: PopulateCounts.self) { tasks in
            for worker in 0..<min(concurrency, blocks) {
                tasks.addTask {
                    var total = PopulateCounts()
                    for block in stride(from: worker, to: blocks, by: concurrency) {
                        let slice = messages[block * perIP ..< min(messages.count, (block + 1) * perIP)]
                        let promise = group.any().makePromise(of: PopulateCounts.self)
                        let channel = try await bind(group: group, host: populateSource(block)) {
                            PopulateHandler(messages: slice, server: server, window: window, timeout: timeout, done: promise)
                        }
                        let counts = try await promise.futureResult.get()
                        try? await channel.close()
                        total = total + counts
                    }
                    return total
                }
            }
            var total = PopulateCounts()
            for try await counts in tasks { total = total + counts }
            return total
        }
    }

    /// RegisterPeer from `sockets` sockets on 127.2.0.x, `window` outstanding each, for `duration`.
    static func flood(group: any EventLoopGroup, server: SocketAddress, messages: [ByteBuffer], sockets: Int,
                      window: Int, duration: TimeAmount) async throws -> FloodCounts {
        let startAt = NIODeadline.now() + .milliseconds(300)
        let stopAt = startAt + duration
        var channels: [any Channel] = []
        var futures: [EventLoopFuture<FloodCounts>] = []
        for socket in 0..<sockets {
            let promise = group.any().makePromise(of: FloodCounts.self)
            futures.append(promise.futureResult)
            channels.append(try await bind(group: group, host: "127.2.0.\(socket + 1)", receiveBuffer: 1 << 20, vectorReads: 64) {
                FloodHandler(messages: messages, first: socket, step: sockets, server: server, window: window,
                             startAt: startAt, stopAt: stopAt, done: promise)
            })
        }
        var total = FloodCounts()
        for future in futures { total = total + (try await future.get()) }
        for channel in channels { try? await channel.close() }
        return total
    }
}
