import NIOCore
import RustDeskWire

/// UDP P: registrations in, their answers out, from the same socket that later carries
/// PunchHole / FetchLocalAddr / RequestRelay to B (B's NAT only admits that source).
///
/// Answers produced while a batch of datagrams is being read are written without a flush
/// and flushed once at the end of the batch, so the kernel gets them in one sendmmsg.
final class UDPRegistrationHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    let core: RendezvousCore
    /// Set while `channelRead` runs: only answers produced synchronously inside it may wait
    /// for the batch flush; answers produced later (RegisterPk, after a database write) are
    /// flushed at once.
    private let reading: NIOLoopBoundBox<Bool>
    private let pendingFlush: NIOLoopBoundBox<Bool>

    init(core: RendezvousCore, eventLoop: any EventLoop) {
        self.core = core
        self.reading = NIOLoopBoundBox(false, eventLoop: eventLoop)
        self.pendingFlush = NIOLoopBoundBox(false, eventLoop: eventLoop)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let remote = envelope.remoteAddress
        guard let source = PeerAddress(remote) else {
            core.stats.add(.udpMalformed)
            return
        }
        let channel = context.channel
        let reading = self.reading
        let pendingFlush = self.pendingFlush
        reading.value = true
        defer { reading.value = false }
        core.handleDatagram(envelope.data, from: source) { message in
            let reply = AddressedEnvelope(remoteAddress: remote, data: ByteBuffer(bytes: RendezvousCoding.encode(message)))
            if channel.eventLoop.inEventLoop && reading.value {
                channel.write(reply, promise: nil)
                pendingFlush.value = true
            } else {
                channel.writeAndFlush(reply, promise: nil)
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if pendingFlush.value {
            pendingFlush.value = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A failed send (ICMP unreachable reported back, a full buffer) must not close the
        // registration socket.
    }
}

/// Sends to B from the UDP P socket, mapping IPv4 peers into the socket's family.
struct UDPSender: UDPSending {
    let channel: any Channel
    let isIPv6Socket: Bool

    func send(_ bytes: [UInt8], to address: PeerAddress) {
        guard let destination = address.socketAddress(mappedToIPv6: isIPv6Socket) else { return }
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: destination, data: ByteBuffer(bytes: bytes)), promise: nil)
    }
}
