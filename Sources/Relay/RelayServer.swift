import Foundation
import Logging
import NIOCore
import NIOPosix
import RustDeskWire
import NIOConcurrencyHelpers
import StatusModel

/// `homeport relay`: pairs two connections presenting the same uuid and copies bytes between
/// them (what rustdesk-server calls hbbr). All sessions share one event loop thread: pairing
/// moves handlers between pipelines, and copying with `read`/`write` of up to 64 KiB needs
/// far less than a core for the link speeds a home connection has.
public final class RelayServer: Sendable {
    let hub: RelayHub
    private let group: MultiThreadedEventLoopGroup
    private let logger: Logger
    private let listener = NIOLockedValueBox<[any Channel]>([])

    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(settings: RelaySettings, logger: Logger) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let sources = SourceConnectionLimit(maximum: settings.maximumConnectionsPerSource) { line in
            logger.warning("\(line)")
        }
        hub = RelayHub(settings: settings, loop: group.next(), sources: sources)
        self.logger = logger
    }

    /// Before its RequestRelay, a WebSocket client may send this much in all: the upgrade
    /// request (a browser's or tungstenite's is well under 2 KiB) and a RequestRelay (a few
    /// short strings, see Protos/rendezvous.proto), with room to spare; and then, until it is
    /// paired, this much per message (what a client sends while its partner connects is small).
    static let webSocketHandshakeBytes = 16 * 1024
    /// Largest message once paired, either way between WebSocket and TCP: tungstenite's
    /// default largest frame (16 MiB), which RustDesk's WebSocket clients use.
    static let webSocketMessageBytes = 16 << 20

    public var settings: RelaySettings { hub.settings }

    /// The port actually bound (useful with port 0 in tests).
    public var boundPort: Int? { listener.withLockedValue { $0.first?.localAddress?.port } }

    public func start() async throws(StartError) {
        let hub = self.hub
        let port = hub.settings.port
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            // Big reads when a stream is busy (as socat's 256 KiB buffer), small when idle.
            .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 256 * 1024))
            // At most this much waits in the relay per direction before reading pauses.
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 128 * 1024, high: 512 * 1024))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let remote = hub.admit(channel) else { return }
                    hub.noteContact(.relayTCP, .connection, from: remote)
                    try channel.pipeline.syncOperations.addHandler(RelayHandshakeHandler(address: remote, hub: hub))
                }
            }
        let tcp = try await bind(bootstrap, port: port, what: "relay TCP")
        let budget = hub.partialMessages
        let actualPort = tcp.localAddress?.port ?? port
        hub.contacts.listening(on: actualPort)
        let webSocketBootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let remote = hub.admit(channel) else { return }
                    hub.noteContact(.relayWebSocket, .connection, from: remote)
                    let accepted = NIODeadline.now()
                    let handshake = hub.settings.handshakeTimeout
                    let deadline = TimeAmount(handshake)
                    // The upgrade and the RequestRelay within the handshake timeout from
                    // accept, as on TCP R (where RelayHandshakeHandler starts it at accept).
                    let limits = WebSocketLimits(
                        deadline: deadline, handshakeBytes: Self.webSocketHandshakeBytes, messageBytes: Self.webSocketMessageBytes,
                        budget: budget,
                        missedDeadline: { hub.countHandshakeTimeout() }, oversized: { hub.countOversized() })
                    try WebSocketCarriage.configureServer(
                        channel, maxMessageSize: Self.webSocketMessageBytes, idleTimeout: deadline, limits: limits
                    ) { pipeline in try pipeline.addHandler(RelayHandshakeHandler(address: remote, hub: hub, messageMode: true, accepted: accepted)) }
                }
            }
        let webSocket: any Channel
        do {
            webSocket = try await bind(webSocketBootstrap, port: actualPort + 2, what: "relay WebSocket")
        } catch {
            try? await tcp.close()
            throw error
        }
        listener.withLockedValue { $0 = [tcp, webSocket] }
        hub.loop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in hub.tick() }
        logger.info("relay listening on TCP \(actualPort) and TCP \(actualPort + 2) (WebSocket)")
    }

    private func bind(_ bootstrap: ServerBootstrap, port: Int, what: String) async throws(StartError) -> any Channel {
        var lastError: (any Error)?
        for host in hub.settings.bind.map({ [$0] }) ?? ["::", "0.0.0.0"] {
            do {
                return try await bootstrap.bind(host: host, port: port).get()
            } catch {
                lastError = error
            }
        }
        if let error = lastError as? IOError, error.errnoCode == EADDRINUSE {
            throw StartError(description: "Port \(port) (\(what)) is already in use by another program (an hbbr still running?); stop it or choose another port with -p.")
        }
        throw StartError(description: "Cannot listen on port \(port) (\(what)): \(lastError.map { "\($0)" } ?? "unknown error").")
    }

    /// Closes the listener and every session, and stops the event loop.
    public func shutdown() async {
        let channels = listener.withLockedValue { current -> [any Channel] in
            defer { current = [] }
            return current
        }
        for channel in channels { try? await channel.close() }
        try? await group.shutdownGracefully()
    }

    /// Runs `body` on the relay's loop (where all its state lives); nil once it has shut down.
    func onLoop<T: Sendable>(_ body: @escaping @Sendable (RelayHub) -> T) async -> T? {
        let hub = self.hub
        return try? await hub.loop.submit { body(hub) }.get()
    }

    /// What `homeport status` and `homeport admin relay …` show.
    public func summary() async -> RelaySummary? {
        await onLoop { hub in
            var summary = RelaySummary(port: hub.settings.port, licenceKeyEnforced: !(hub.settings.licenceKey ?? "").isEmpty,
                         activeSessions: hub.activeSessions, waiting: hub.waitingCount, bytesRelayed: hub.totalBytes,
                         counters: hub.counters, usage: hub.usage)
            summary.outsideContacts = hub.contacts.contacts
            return summary
        }
    }
}
