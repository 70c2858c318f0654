import NIOCore
import RustDeskWire

/// UDP P: registrations in, their answers out, from the same socket that later carries
/// PunchHole / FetchLocalAddr / RequestRelay to B (B's NAT only admits that source).
final class UDPRegistrationHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    let core: RendezvousCore

    init(core: RendezvousCore) {
        self.core = core
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let remote = envelope.remoteAddress
        guard let source = PeerAddress(remote) else {
            core.stats.add(.udpMalformed)
            return
        }
        let channel = context.channel
        core.handleDatagram(envelope.data, from: source) { message in
            let bytes = RendezvousCoding.encode(message)
            channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: ByteBuffer(bytes: bytes)), promise: nil)
        }
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
