import NIOCore

/// Keeps errors on the probe's socket (an ICMP error some systems report on a UDP socket) from
/// ending the stream of datagrams behind it: a server that cannot be reached is one that does
/// not answer, and the other servers' answers must still arrive.
final class SocketErrorsIgnored: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias InboundOut = AddressedEnvelope<ByteBuffer>

    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}
