import History
import NIOCore
import RustDeskWire
import Synchronization

/// One connection on TCP P or WebSocket P+2 (docs/rustdesk-protocol.md#listeners): A's requests (kept open, answered
/// later through the waiting table), B's answers (processed, then closed), NAT tests and
/// everything else. Inbound: one message payload per read; outbound: one payload per write
/// (the pipeline adds the length prefix or the WebSocket frame).
final class BrokerHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private static let connectionCounter = Atomic<UInt64>(0)

    let core: RendezvousCore
    let viaWebSocket: Bool
    private let connectionID = BrokerHandler.connectionCounter.wrappingAdd(1, ordering: .relaxed).oldValue
    private let deposited = Mutex<PeerAddress?>(nil)

    init(core: RendezvousCore, viaWebSocket: Bool) {
        self.core = core
        self.viaWebSocket = viaWebSocket
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let payload = unwrapInboundIn(data)
        let channel = context.channel
        guard let remote = channel.remoteAddress, let source = PeerAddress(remote) else {
            context.close(promise: nil)
            return
        }
        guard let message = RendezvousCoding.decode(payload.readableBytesView) else {
            core.stats.add(.tcpMalformed)
            context.close(promise: nil)
            return
        }
        let core = self.core
        let viaWebSocket = self.viaWebSocket
        if let kind = Self.contactKind(message.union) {
            core.noteContact(viaWebSocket ? .rendezvousWebSocket : .rendezvousTCP, kind, from: source)
        }
        func reply(_ message: Hbb_RendezvousMessage, thenClose: Bool) {
            let written = channel.writeAndFlush(ByteBuffer(bytes: RendezvousCoding.encode(message)))
            if thenClose { written.whenComplete { _ in channel.close(promise: nil) } }
        }
        switch message.union {
        case .punchHoleRequest(let request):
            deposit(source, channel: channel)
            Task { await core.punchHoleRequest(request, from: source, viaWebSocket: viaWebSocket) }
        case .requestRelay(let request):
            deposit(source, channel: channel)
            core.requestRelay(request, from: source)
        case .punchHoleSent(let sent):
            Task {
                await core.punchHoleSent(sent, from: source)
                try? await channel.close()
            }
        case .localAddr(let local):
            Task {
                await core.localAddr(local)
                try? await channel.close()
            }
        case .relayResponse(let response):
            Task {
                await core.relayResponse(response)
                try? await channel.close()
            }
        case .testNatRequest(let request):
            reply(core.testNatResponse(request, sourcePort: remote.port ?? 0, includeConfig: true), thenClose: true)
        case .registerPk:
            // Registration over TCP is a Pro feature (docs/rustdesk-protocol.md#ignored-and-refused-messages): NOT_SUPPORT, then close.
            reply(.with { $0.registerPkResponse = .with { $0.result = .notSupport } }, thenClose: true)
        case .onlineRequest(let request):
            // Upstream answers this only on P-1; answering here too helps WebSocket clients.
            if let response = core.onlineResponse(request) {
                reply(response, thenClose: true)
            } else {
                context.close(promise: nil)
            }
        default:
            core.stats.add(.tcpMalformed)
            context.close(promise: nil)
        }
    }

    /// The requests worth naming in the last outside contact; the rest leave the connection's.
    private static func contactKind(_ message: Hbb_RendezvousMessage.OneOf_Union?) -> OutsideContactKind? {
        switch message {
        case .punchHoleRequest?: .punchHoleRequest
        case .requestRelay?: .relayRequest
        case .testNatRequest?: .natTest
        default: nil
        }
    }

    private func deposit(_ source: PeerAddress, channel: any Channel) {
        let first = deposited.withLock { current -> Bool in
            guard current == nil else { return false }
            current = source
            return true
        }
        guard first else { return }
        core.waiting.deposit(source, .init(connection: connectionID) { bytes in
            channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil)
        })
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let address = deposited.withLock({ $0 }) {
            core.waiting.remove(address, connection: connectionID)
        }
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        ConnectionEnd.onEvent(event, context: context, stats: core.stats)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        ConnectionEnd.onError(error, context: context, stats: core.stats)
    }
}

/// TCP P-1: exactly one frame, a NAT test or an online query, answered and closed. Loopback
/// clients are served like any other (rustdesk-server puts a text console here instead).
final class NATTestPortHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let core: RendezvousCore

    init(core: RendezvousCore) {
        self.core = core
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let payload = unwrapInboundIn(data)
        let channel = context.channel
        var response: Hbb_RendezvousMessage?
        switch RendezvousCoding.decode(payload.readableBytesView)?.union {
        case .testNatRequest(let request)?:
            if let source = channel.remoteAddress.flatMap(PeerAddress.init) { core.noteContact(.natTest, .natTest, from: source) }
            response = core.testNatResponse(request, sourcePort: channel.remoteAddress?.port ?? 0, includeConfig: false)
        case .onlineRequest(let request)?:
            response = core.onlineResponse(request)
        case nil:
            core.stats.add(.tcpMalformed)
        default:
            break
        }
        guard let response else {
            context.close(promise: nil)
            return
        }
        channel.writeAndFlush(ByteBuffer(bytes: RendezvousCoding.encode(response))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        ConnectionEnd.onEvent(event, context: context, stats: core.stats)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        ConnectionEnd.onError(error, context: context, stats: core.stats)
    }
}

/// How both rendezvous TCP handlers end a connection: after 30 s of silence, or on a frame
/// that cannot be decoded; each is counted.
enum ConnectionEnd {
    static func onEvent(_ event: Any, context: ChannelHandlerContext, stats: RendezvousStats) {
        if event is IdleStateHandler.IdleStateEvent {
            stats.add(.tcpIdleClosed)
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    static func onError(_ error: any Error, context: ChannelHandlerContext, stats: RendezvousStats) {
        stats.add(error is FrameTooLarge ? .tcpOversized : .tcpMalformed)
        context.close(promise: nil)
    }
}
