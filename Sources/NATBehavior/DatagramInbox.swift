import NIOCore

/// Hands the datagrams a channel receives to an `AsyncStream`, which ends when the channel
/// closes. Errors on the socket (an ICMP error some systems report on a UDP socket) are not
/// passed on: a server that cannot be reached is one that does not answer, and the other
/// servers' answers must still arrive.
final class DatagramInbox: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let continuation: AsyncStream<AddressedEnvelope<ByteBuffer>>.Continuation

    init(_ continuation: AsyncStream<AddressedEnvelope<ByteBuffer>>.Continuation) {
        self.continuation = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        continuation.yield(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}
