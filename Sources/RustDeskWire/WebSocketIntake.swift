import NIOCore

/// What a WebSocket listener accepts before and after its handshake.
public struct WebSocketLimits: Sendable {
    /// From accept until the upgrade is done and the first message has arrived.
    public var deadline: TimeAmount
    /// Bytes allowed from accept to the first message (upgrade request included), and then
    /// per message until the application calls the connection open.
    public var handshakeBytes: Int
    /// Bytes allowed per message once open.
    public var messageBytes: Int
    /// Server-wide allowance for bytes of messages still being received; nil = none.
    public var budget: ByteBudget?
    /// Called (on the channel's loop) before closing for a missed deadline or too many bytes.
    public var missedDeadline: @Sendable () -> Void
    public var oversized: @Sendable () -> Void

    public init(deadline: TimeAmount, handshakeBytes: Int, messageBytes: Int, budget: ByteBudget? = nil,
                missedDeadline: @escaping @Sendable () -> Void, oversized: @escaping @Sendable () -> Void) {
        self.deadline = deadline
        self.handshakeBytes = handshakeBytes
        self.messageBytes = messageBytes
        self.budget = budget
        self.missedDeadline = missedDeadline
        self.oversized = oversized
    }
}

/// Sent outbound (toward the head of the pipeline) to the `WebSocketIntake`.
public enum WebSocketIntakeEvent: Sendable {
    /// A whole binary message came out of the WebSocket decoders.
    case messageArrived
    /// A whole text message: its bytes are done with, but it is no handshake.
    case otherMessageArrived
    /// A ping or pong of this many bytes on the wire. Control frames may come between the
    /// fragments of a message (RFC 6455 section 5.4), so only their own bytes are done with:
    /// a message still being received stays counted.
    case controlFrameArrived(wireBytes: Int)
    /// The application accepted the client (the relay paired it): `messageBytes` applies.
    case opened
}

/// The first handler of a WebSocket listener's pipeline: it sees raw bytes before the HTTP
/// and WebSocket decoders, which hold a whole HTTP head, frame and message before passing any
/// of it on (NIO's WebSocketFrameDecoder buffers a frame up to `maxFrameSize`, its
/// NIOWebSocketFrameAggregator a message). Counting bytes read since the last whole message
/// bounds what those decoders can hold, to the limit plus one read; read gating further down
/// the pipeline cannot, because a partly received message is invisible there. It also puts
/// one deadline on "upgrade done and first message arrived", instead of an idle timeout a
/// client can reset with one byte at a time.
public final class WebSocketIntake: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private let limits: WebSocketLimits
    private var pending = 0
    private var open = false
    private var firstArrived = false
    private var refused = false
    private var timer: Scheduled<Void>?

    public init(limits: WebSocketLimits) {
        self.limits = limits
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        let missed = limits.missedDeadline
        timer = context.eventLoop.scheduleTask(in: limits.deadline) {
            missed()
            channel.close(promise: nil)
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        limits.budget?.release(pending)
        pending = 0
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        let count = unwrapInboundIn(data).readableBytes
        let limit = open ? limits.messageBytes : limits.handshakeBytes
        guard pending + count <= limit, limits.budget?.reserve(count) ?? true else {
            refused = true
            limits.oversized()
            context.close(promise: nil)
            return
        }
        pending += count
        context.fireChannelRead(data)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        limits.budget?.release(pending)
        pending = 0
        context.fireChannelInactive()
    }

    public func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let event = event as? WebSocketIntakeEvent else {
            return context.triggerUserOutboundEvent(event, promise: promise)
        }
        switch event {
        case .messageArrived:
            if !firstArrived {
                firstArrived = true
                timer?.cancel()
                timer = nil
            }
            limits.budget?.release(pending)
            pending = 0
        case .otherMessageArrived:
            limits.budget?.release(pending)
            pending = 0
        case .controlFrameArrived(let wireBytes):
            let done = min(max(wireBytes, 0), pending)
            limits.budget?.release(done)
            pending -= done
        case .opened:
            open = true
        }
        promise?.succeed()
    }
}
