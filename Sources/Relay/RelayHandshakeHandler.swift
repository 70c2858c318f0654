import NIOCore
import RustDeskWire
import StatusModel

/// A relay connection before pairing (docs/rustdesk-protocol.md#relay-pairing): within the handshake timeout its
/// first frame (TCP) or binary message (WebSocket) must be a RequestRelay with the right
/// licence key and a uuid. It then waits for the partner with the same uuid, holding (up to
/// 64 KiB of) what it sends meanwhile so that can be delivered first. Anything wrong closes
/// the connection silently.
final class RelayHandshakeHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let address: PeerAddress
    /// WebSocket: every read is one whole message; TCP: a byte stream with length prefixes.
    let messageMode: Bool
    private let hub: RelayHub
    private var earlyMessages: [ByteBuffer] = []
    private var context: ChannelHandlerContext?
    private var buffer: ByteBuffer?
    private var decoder = FrameDecoder(maximumPayload: 64 * 1024)
    private var uuid: String?
    private var timeout: Scheduled<Void>?
    private var pendingRead = false
    private var done = false

    static let earlyBytesLimit = 64 * 1024

    /// When the connection was accepted: the handshake timeout runs from then, also on the
    /// WebSocket port where this handler is only added once the upgrade is done.
    private let accepted: NIODeadline

    init(address: PeerAddress, hub: RelayHub, messageMode: Bool = false, accepted: NIODeadline = .now()) {
        self.address = address
        self.hub = hub
        self.messageMode = messageMode
        self.accepted = accepted
    }

    /// What arrived after the RequestRelay and before pairing.
    enum Early {
        case stream(ByteBuffer)
        case messages([ByteBuffer])
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let limit = hub.settings.handshakeTimeout
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timeout = context.eventLoop.scheduleTask(deadline: accepted + TimeAmount(limit)) {
            bound.value.handshakeTimedOut()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if messageMode {
            if uuid != nil || done {
                heldBytes += incoming.readableBytes
                earlyMessages.append(incoming)
                return
            }
            return handleFirst(incoming)
        }
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
        handleFirst(frame)
    }

    private var heldBytes = 0

    private func handleFirst(_ frame: ByteBuffer) {
        guard case .requestRelay(let request)? = RendezvousCoding.decode(frame.readableBytesView)?.union else {
            return refuse(\.refusedMalformed)
        }
        if let key = hub.settings.licenceKey, !key.isEmpty, request.licenceKey != key {
            return refuse(\.refusedKey)
        }
        guard !request.uuid.isEmpty else { return refuse(\.refusedMalformed) }
        hub.noteContact(messageMode ? .relayWebSocket : .relayTCP, .relaySession, from: address)
        hub.arrived(self, uuid: request.uuid, from: address)
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A no-op once paired: the hub removes an entry only if it is still this handler's.
        if let uuid {
            hub.leftWaiting(self, uuid: uuid)
        }
        timeout?.cancel()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        hub.closedOnError(error)
        context.close(promise: nil)
    }

    /// The client ended its side before being paired (half-closure is allowed on relay
    /// sockets, so this arrives as an event). With nothing sent after the RequestRelay it is
    /// done and forgotten; otherwise its bytes and then the end of its stream are delivered
    /// once the partner arrives.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            let held = max(buffer?.readableBytes ?? 0, heldBytes)
            if uuid == nil || held == 0 {
                closeChannel()
            } else {
                inputEnded = true
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Whether the client's stream ended while it waited.
    private(set) var inputEnded = false

    /// While waiting, read only until 64 KiB are held; the kernel keeps the rest.
    func read(context: ChannelHandlerContext) {
        if uuid != nil, max(buffer?.readableBytes ?? 0, heldBytes) >= Self.earlyBytesLimit {
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

    /// Hands the connection over to `glue`, with a frame decoder and encoder in front of it
    /// when a byte stream must be cut into messages for a WebSocket partner. Returns what was
    /// received after the RequestRelay, or nil if the connection is already gone.
    func becomeRelay(_ glue: RelayGlue, framing: Bool) -> Early? {
        guard let context, context.channel.isActive else { return nil }
        done = true
        timeout?.cancel()
        let early: Early = messageMode ? .messages(earlyMessages) : .stream(buffer ?? context.channel.allocator.buffer(capacity: 0))
        buffer = nil
        earlyMessages = []
        do {
            if framing && !messageMode {
                // Each frame becomes one WebSocket message: the same largest size as the
                // WebSocket side accepts, and frames still arriving count against the same
                // relay-wide budget as unfinished WebSocket messages.
                let hub = self.hub
                let decoder = BudgetedFrameDecoder(maximumPayload: RelayServer.webSocketMessageBytes, budget: hub.partialMessages) {
                    hub.countOversized()
                }
                try context.pipeline.syncOperations.addHandlers(
                    [ByteToMessageHandler(decoder), MessageToByteHandler(FrameEncoder()), glue],
                    position: .after(self))
            } else {
                try context.pipeline.syncOperations.addHandler(glue, position: .after(self))
            }
        } catch {
            return nil
        }
        if messageMode {
            // Paired: the WebSocket intake now allows whole-size messages.
            context.triggerUserOutboundEvent(WebSocketIntakeEvent.opened, promise: nil)
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
