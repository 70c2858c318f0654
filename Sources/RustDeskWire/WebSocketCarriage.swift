import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Turns a WebSocket into the same one-payload-per-message stream the TCP listeners produce:
/// one binary message in, one RendezvousMessage; one payload out, one binary message (docs/rustdesk-protocol.md#websocket).
/// Text, ping and pong count as activity and are not passed on; pings are answered.
/// Each frame it sees tells the `WebSocketIntake` which bytes are done with.
public final class WebSocketMessageBridge: ChannelDuplexHandler, Sendable {
    public typealias InboundIn = WebSocketFrame
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = WebSocketFrame

    public init() {}

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .binary:
            // Before passing it on: handling it may open the connection (a relay pairing).
            context.triggerUserOutboundEvent(WebSocketIntakeEvent.messageArrived, promise: nil)
            context.fireChannelRead(wrapInboundOut(frame.unmaskedData))
        case .ping:
            context.triggerUserOutboundEvent(WebSocketIntakeEvent.controlFrameArrived(wireBytes: Self.wireSize(frame)), promise: nil)
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .pong:
            context.triggerUserOutboundEvent(WebSocketIntakeEvent.controlFrameArrived(wireBytes: Self.wireSize(frame)), promise: nil)
        case .connectionClose:
            context.close(promise: nil)
        default:
            context.triggerUserOutboundEvent(WebSocketIntakeEvent.otherMessageArrived, promise: nil)
        }
    }

    /// A frame's size on the wire (RFC 6455 section 5.2): 2 bytes, the extended length, the
    /// mask key, the payload.
    static func wireSize(_ frame: WebSocketFrame) -> Int {
        let length = frame.length
        let extended = length < 126 ? 0 : length <= 0xFFFF ? 2 : 8
        return 2 + extended + (frame.maskKey == nil ? 0 : 4) + length
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let payload = unwrapOutboundIn(data)
        context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .binary, data: payload)), promise: promise)
    }
}

/// A plain HTTP request on the WebSocket port gets "426 Upgrade Required" and is closed.
/// Removed once the connection is upgraded, before any WebSocket frame flows.
public final class UpgradeRequiredHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    public typealias InboundIn = HTTPServerRequestPart
    public typealias OutboundOut = HTTPServerResponsePart

    public init() {}

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Connection", value: "close")
        headers.add(name: "Content-Length", value: "0")
        let head = HTTPResponseHead(version: .http1_1, status: .upgradeRequired, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// A WebSocket server pipeline for RustDesk ports (docs/rustdesk-protocol.md#websocket): any path, no sub-protocol;
/// after the upgrade, `messageHandlers` see one ByteBuffer per binary message and write one
/// ByteBuffer per message. A plain HTTP request gets 426. A `WebSocketIntake` in front of everything
/// enforces `limits` (bytes held and the upgrade-plus-first-message deadline);
/// `idleTimeout` then only closes connections that have gone silent.
public enum WebSocketCarriage {
    public static func configureServer(
        _ channel: any Channel,
        maxMessageSize: Int,
        idleTimeout: TimeAmount,
        limits: WebSocketLimits,
        addMessageHandlers: @escaping @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void
    ) throws {
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: min(maxMessageSize, 16 << 20),
            automaticErrorHandling: true,
            shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        NIOWebSocketFrameAggregator(minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 4096, maxAccumulatedFrameSize: maxMessageSize),
                        WebSocketMessageBridge(),
                    ])
                    try addMessageHandlers(channel.pipeline.syncOperations)
                }
            })
        let upgradeRequired = UpgradeRequiredHandler()
        try channel.pipeline.syncOperations.addHandler(WebSocketIntake(limits: limits))
        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
            withServerUpgrade: (upgraders: [upgrader], completionHandler: { context in
                // Removed before any WebSocket frame can reach it.
                context.pipeline.syncOperations.removeHandler(upgradeRequired, promise: nil)
            }))
        try channel.pipeline.syncOperations.addHandler(upgradeRequired)
    }
}
