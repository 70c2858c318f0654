import History
import Logging
import NIOCore
import NIOPosix
import RustDeskWire

/// `homeport rendezvous`: binds UDP+TCP P, TCP P-1 and WebSocket P+2 and serves until
/// cancelled.
public final class RendezvousServer: Sendable {
    public let settings: RendezvousSettings
    let core: RendezvousCore
    private let logger: Logger
    /// Shared by TCP P, P-1 and P+2: one source's connections on all three count together.
    let sources: SourceConnectionLimit

    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// `wallClock`: for the creation times the database keeps (injectable for tests).
    public init(settings: RendezvousSettings, keys: KeyOption, store: PeerStore, clock: any MillisecondClock = MonotonicClock(),
                wallClock: any MillisecondClock = WallClock(), logger: Logger) {
        self.settings = settings
        self.logger = logger
        self.core = RendezvousCore(settings: settings, store: store, licenceKey: keys.licenceKey, signer: keys.signer, clock: clock,
                                   wallClock: wallClock)
        self.sources = SourceConnectionLimit(maximum: settings.maximumConnectionsPerSource) { line in
            logger.warning("\(line)")
        }
    }

    public var stats: RendezvousStats { core.stats }
    public var registeredInMemory: Int { core.table.count }
    public func onlineCount() -> Int { core.table.onlineCount(now: core.clock.now()) }

    /// Channels bound by `start()`, closed by `stop()`.
    public struct Listeners: Sendable {
        public let udp: any Channel
        public let tcp: any Channel
        public let natTest: any Channel
        public let webSocket: any Channel

        var all: [any Channel] { [udp, tcp, natTest, webSocket] }
    }

    public func start(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws(StartError) -> Listeners {
        let p = settings.port
        guard p >= 3, p <= 65533 else { throw StartError(description: "The rendezvous port must be from 3 to 65533 (it also uses port-1 and port+2), not \(p).") }
        let core = self.core
        let idle = TimeAmount(settings.idleTimeout)
        let frame = TimeAmount(settings.frameTimeout)
        let stats = core.stats
        let udp = try await bindUDP(group: group, port: p)
        let isIPv6 = udp.localAddress?.protocol == .inet6
        core.attachUDP(UDPSender(channel: udp, isIPv6Socket: isIPv6))
        let tcp = try await bindTCP(group: group, port: p, what: "rendezvous TCP", listener: .rendezvousTCP) { channel in
            try channel.pipeline.syncOperations.addHandlers([
                IdleStateHandler(readTimeout: idle),
                ByteToMessageHandler(FrameDeadlineDecoder(maximumPayload: 64 * 1024, deadline: frame) { stats.add(.tcpDeadlineClosed) }),
                MessageToByteHandler(FrameEncoder()),
                BrokerHandler(core: core, viaWebSocket: false),
            ])
        }
        let natTest = try await bindTCP(group: group, port: p - 1, what: "NAT test", listener: .natTest) { channel in
            try channel.pipeline.syncOperations.addHandlers([
                IdleStateHandler(readTimeout: idle),
                ByteToMessageHandler(FrameDeadlineDecoder(maximumPayload: 64 * 1024, deadline: frame) { stats.add(.tcpDeadlineClosed) }),
                MessageToByteHandler(FrameEncoder()),
                NATTestPortHandler(core: core),
            ])
        }
        let webSocket = try await bindTCP(group: group, port: p + 2, what: "rendezvous WebSocket", listener: .rendezvousWebSocket) { channel in
            // Messages are at most 64 KiB here at every stage; the upgrade request and framing
            // get 16 KiB more. No budget is needed: each connection holds at most that much.
            let limits = WebSocketLimits(deadline: frame, handshakeBytes: 80 * 1024, messageBytes: 80 * 1024,
                                         missedDeadline: { stats.add(.tcpDeadlineClosed) }, oversized: { stats.add(.tcpOversized) })
            try WebSocketCarriage.configureServer(channel, maxMessageSize: 64 * 1024, idleTimeout: idle, limits: limits) { pipeline in
                try pipeline.addHandler(BrokerHandler(core: core, viaWebSocket: true))
            }
        }
        logger.info("rendezvous listening on UDP/TCP \(p), TCP \(p - 1) (NAT test), TCP \(p + 2) (WebSocket)")
        return Listeners(udp: udp, tcp: tcp, natTest: natTest, webSocket: webSocket)
    }

    private func bindUDP(group: any EventLoopGroup, port: Int) async throws(StartError) -> any Channel {
        let core = self.core
        let receiveBuffer = settings.receiveBuffer
        // No SO_REUSEADDR: on Linux it would let a second server share the UDP port and
        // silently take part of the registrations; a busy port must be an error instead.
        var bootstrap = DatagramBootstrap(group: group)
            // recvmmsg: up to 64 datagrams per system call under load. NIO splits the receive
            // buffer evenly between them, so it must hold 64 slots of 2 KiB; real messages are
            // under 200 bytes, and a larger datagram arrives cut and is dropped as malformed.
            .channelOption(.datagramVectorReadMessageCount, value: 64)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 64 * 2048))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UDPRegistrationHandler(core: core, eventLoop: channel.eventLoop))
                }
            }
        if receiveBuffer > 0 {
            bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(clamping: receiveBuffer))
        }
        return try await bindFirst("UDP", port: port) { host in try await bootstrap.bind(host: host, port: port).get() }
    }

    private func bindTCP(group: any EventLoopGroup, port: Int, what: String, listener: BuiltinListener,
                         configure: @escaping @Sendable (any Channel) throws -> Void) async throws(StartError) -> any Channel {
        let sources = self.sources
        let core = self.core
        let stats = core.stats
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 128)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Before a byte is read: one host must not take every descriptor.
                    guard let remote = channel.remoteAddress.flatMap(PeerAddress.init) else {
                        channel.close(promise: nil)
                        return
                    }
                    guard sources.admit(channel, source: remote) else {
                        stats.add(.tcpRefusedPerSource)
                        channel.close(promise: nil)
                        return
                    }
                    core.noteContact(listener, .connection, from: remote)
                    try configure(channel)
                }
            }
        return try await bindFirst("TCP (\(what))", port: port) { host in try await bootstrap.bind(host: host, port: port).get() }
    }

    /// Binds on the first host that works: dual stack, then IPv4 only, unless a bind address
    /// was given.
    private func bindFirst(_ what: String, port: Int, _ bind: (String) async throws -> any Channel) async throws(StartError) -> any Channel {
        var lastError: (any Error)?
        for host in hosts {
            do {
                return try await bind(host)
            } catch {
                lastError = error
            }
        }
        throw StartError(description: Self.bindFailure(what, port: port, error: lastError))
    }

    /// Dual stack first, then IPv4 only, unless a bind address was given.
    private var hosts: [String] {
        if let bind = settings.bind { return [bind] }
        return ["::", "0.0.0.0"]
    }

    static func bindFailure(_ what: String, port: Int, error: (any Error)?) -> String {
        if let error = error as? IOError, error.errnoCode == EADDRINUSE {
            return "Port \(port) (\(what)) is already in use by another program (an hbbs still running?); stop it or choose another port with -p."
        }
        if let error = error as? IOError, error.errnoCode == EACCES {
            return "Not allowed to listen on port \(port) (\(what)); ports below 1024 need root."
        }
        return "Cannot listen on port \(port) (\(what)): \(error.map { "\($0)" } ?? "unknown error")."
    }
}

extension RendezvousServer.Listeners {
    public func close() async {
        for channel in all { try? await channel.close() }
    }
}
