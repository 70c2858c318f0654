import NIOCore

/// Copies bytes unmodified from its channel to its partner's (raw mode, spec §2.2), with
/// back-pressure both ways: it reads only while the partner can take more, so a slow reader
/// on one side holds at most a write buffer's worth on the relay. Half-close is passed on
/// (EOF on one side shuts the other's output), and the session's rate limit pauses reading.
final class RelayGlue: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    weak var partner: RelayGlue?
    let session: RelaySession
    private let hub: RelayHub
    private var context: ChannelHandlerContext?
    private var pendingRead = false
    private var pausedUntil: NIODeadline?

    init(session: RelaySession, hub: RelayHub) {
        self.session = session
        self.hub = hub
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let now = NIODeadline.now()
        let pause = session.received(buffer.readableBytes, now: now, global: &hub.globalBucket)
        if pause > 0 { pausedUntil = now + .nanoseconds(pause) }
        partner?.partnerWrite(buffer)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.partnerFlush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.closeChannel()
        hub.sessionEnded(session)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            if session.inputClosed() {
                session.close()
            } else {
                partner?.partnerShutdownOutput()
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.partnerBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    // MARK: Outbound: reading only when the partner can take it and the rate allows

    func read(context: ChannelHandlerContext) {
        guard let partner, partner.isWritable else {
            pendingRead = true
            return
        }
        if let until = pausedUntil, until > .now() {
            guard !pendingRead else { return }
            pendingRead = true
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(deadline: until) {
                bound.value.pausedUntil = nil
                bound.value.resumeRead()
            }
            return
        }
        pausedUntil = nil
        context.read()
    }

    private func resumeRead() {
        guard pendingRead, let context else { return }
        pendingRead = false
        read(context: context)
    }

    // MARK: Called by the partner

    var isWritable: Bool { context?.channel.isWritable ?? false }

    func partnerWrite(_ buffer: ByteBuffer) {
        context?.write(wrapOutboundOut(buffer), promise: nil)
    }

    /// Bytes that arrived before pairing, delivered first and in order.
    func deliverEarly(_ buffer: ByteBuffer) {
        guard buffer.readableBytes > 0 else { return }
        context?.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    func partnerFlush() {
        context?.flush()
    }

    func partnerShutdownOutput() {
        context?.close(mode: .output, promise: nil)
    }

    func partnerBecameWritable() {
        resumeRead()
    }

    func closeChannel() {
        context?.close(promise: nil)
    }

    func startReading() {
        guard let context else { return }
        read(context: context)
    }
}
