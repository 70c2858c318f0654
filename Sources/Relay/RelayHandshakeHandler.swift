import NIOCore
import RustDeskWire

/// A relay connection before pairing (spec §5.6 steps 2–6): within the handshake timeout its
/// first frame must be a RequestRelay with the right licence key and a uuid. It then waits
/// for the partner with the same uuid, holding (up to 64 KiB of) what it sends meanwhile so
/// those bytes can be delivered first. Anything wrong closes the connection silently.
final class RelayHandshakeHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let address: PeerAddress
    private let hub: RelayHub
    private var context: ChannelHandlerContext?
    private var buffer: ByteBuffer?
    private var decoder = FrameDecoder(maximumPayload: 64 * 1024)
    private var uuid: String?
    private var timeout: Scheduled<Void>?
    private var pendingRead = false
    private var done = false

    static let earlyBytesLimit = 64 * 1024

    init(address: PeerAddress, hub: RelayHub) {
        self.address = address
        self.hub = hub
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let limit = hub.settings.handshakeTimeout
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timeout = context.eventLoop.scheduleTask(in: .nanoseconds(Int64(limit.components.seconds) * 1_000_000_000 + limit.components.attoseconds / 1_000_000_000)) {
            bound.value.handshakeTimedOut()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if buffer == nil { buffer = incoming } else { buffer?.writeBuffer(&incoming) }
        guard uuid == nil, !done, var pending = buffer else { return }
        let frame: ByteBuffer?
        do {
            frame = try decoder.nextFrame(from: &pending)
        } catch {
            return refuse(\.refusedMalformed)
        }
        buffer = pending
        guard let frame else { return }
        guard case .requestRelay(let request)? = RendezvousCoding.decode(frame.readableBytesView)?.union else {
            return refuse(\.refusedMalformed)
        }
        if let key = hub.settings.licenceKey, !key.isEmpty, request.licenceKey != key {
            return refuse(\.refusedKey)
        }
        guard !request.uuid.isEmpty else { return refuse(\.refusedMalformed) }
        hub.arrived(self, uuid: request.uuid, from: address)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done, let uuid {
            hub.leftWaiting(self, uuid: uuid)
        }
        timeout?.cancel()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// While waiting, read only until 64 KiB are held; the kernel keeps the rest.
    func read(context: ChannelHandlerContext) {
        if uuid != nil, (buffer?.readableBytes ?? 0) >= Self.earlyBytesLimit {
            pendingRead = true
            return
        }
        context.read()
    }

    private func handshakeTimedOut() {
        guard !done else { return }
        if let uuid {
            hub.refuse(\.unpairedTimeouts)
            hub.leftWaiting(self, uuid: uuid)
        }
        closeChannel()
    }

    private func refuse(_ reason: WritableKeyPath<RelayCounters, Int>) {
        hub.refuse(reason)
        closeChannel()
    }

    // MARK: Called by the hub

    func waitForPartner(uuid: String) {
        self.uuid = uuid
    }

    /// Hands the connection over to `glue`; returns the bytes received after the RequestRelay
    /// frame, or nil if the connection is already gone.
    func becomeRelay(_ glue: RelayGlue) -> ByteBuffer? {
        guard let context, context.channel.isActive else { return nil }
        done = true
        timeout?.cancel()
        let early = buffer ?? context.channel.allocator.buffer(capacity: 0)
        buffer = nil
        do {
            try context.pipeline.syncOperations.addHandler(glue, position: .after(self))
        } catch {
            return nil
        }
        context.pipeline.syncOperations.removeHandler(self, promise: nil)
        return early
    }

    func closeChannel() {
        done = true
        timeout?.cancel()
        context?.close(promise: nil)
    }
}
