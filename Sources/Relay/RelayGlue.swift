import NIOCore

/// Copies bytes unmodified from its channel to its partner's (raw mode, docs/rustdesk-protocol.md#raw-relay-mode), with
/// back-pressure both ways: it reads only while the partner can take more, so a slow reader
/// on one side holds at most a write buffer's worth on the relay. Half-close is passed on
/// (EOF on one side shuts the other's output), and the session's rate limit pauses reading.
final class RelayGlue: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    weak var partner: RelayGlue?
    let session: RelaySession
    /// Whole messages (a WebSocket is involved): empty ones are not forwarded.
    let messageMode: Bool
    private let hub: RelayHub
    private var context: ChannelHandlerContext?
    private var pendingRead = false
    private var pausedUntil: NIODeadline?
    /// Completes when everything written so far has gone out (writes complete in order).
    /// Message mode only: raw mode marks the end with an empty write instead, so the copy
    /// path allocates no promise per chunk.
    private var lastWrite: EventLoopFuture<Void>?

    init(session: RelaySession, hub: RelayHub, messageMode: Bool = false) {
        self.session = session
        self.hub = hub
        self.messageMode = messageMode
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
        if messageMode && buffer.readableBytes == 0 { return }
        let now = NIODeadline.now()
        let pause = session.received(buffer.readableBytes, now: now, global: &hub.globalBucket)
        if pause > 0 { pausedUntil = now + .nanoseconds(pause) }
        partner?.partnerWrite(buffer)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.partnerFlush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.closeAfterFlush()
        hub.sessionEnded(session)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            inputEnded()
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// This side's stream ended: the partner gets everything already queued for it, then the
    /// EOF; once both directions have ended, both connections close.
    func inputEnded() {
        partner?.partnerShutdownOutput()
        if session.inputClosed() {
            closeAfterFlush()
            partner?.closeAfterFlush()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.partnerBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        hub.closedOnError(error)
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
        guard let context else { return }
        if messageMode {
            lastWrite = context.write(wrapOutboundOut(buffer))
        } else {
            context.write(wrapOutboundOut(buffer), promise: nil)
        }
    }

    /// Bytes that arrived before pairing, delivered first and in order.
    func deliverEarly(_ buffer: ByteBuffer) {
        guard buffer.readableBytes > 0, let context else { return }
        let written = context.writeAndFlush(wrapOutboundOut(buffer))
        if messageMode { lastWrite = written }
    }

    /// Feeds bytes in at the front of this channel's pipeline (through its frame decoder).
    func injectInbound(_ bytes: ByteBuffer) {
        guard bytes.readableBytes > 0, let context else { return }
        context.pipeline.fireChannelRead(bytes)
        context.pipeline.fireChannelReadComplete()
    }

    func partnerFlush() {
        context?.flush()
    }

    /// Closing the output fails writes still pending in NIO, so the EOF waits behind them.
    func partnerShutdownOutput() {
        afterPendingWrites { $0.close(mode: .output, promise: nil) }
    }

    /// Closes once everything written so far has gone out.
    func closeAfterFlush() {
        afterPendingWrites { $0.close(promise: nil) }
    }

    /// Writes complete in order, so `body` runs once everything written so far has gone out.
    /// Raw mode finds that point with an empty write (zero bytes on the wire); in message mode
    /// an empty write would go out as an empty frame or message, so the last write is kept.
    private func afterPendingWrites(_ body: @escaping @Sendable (any Channel) -> Void) {
        guard let context else { return }
        let channel = context.channel
        let done: EventLoopFuture<Void>
        if messageMode {
            context.flush()
            done = lastWrite ?? context.eventLoop.makeSucceededVoidFuture()
        } else {
            done = context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(capacity: 0)))
        }
        done.whenComplete { _ in body(channel) }
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
