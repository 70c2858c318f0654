import NIOCore

/// Reads UDP answers: those from another address, that do not decode, or that answer another
/// query are dropped and counted (a spoofing attempt or a stray late answer).
final class DNSDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let server: SocketAddress
    private let matcher: DNSResponseMatcher
    private let slot: DNSResponseSlot

    init(server: SocketAddress, matcher: DNSResponseMatcher, slot: DNSResponseSlot) {
        self.server = server
        self.matcher = matcher
        self.slot = slot
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard envelope.remoteAddress == server else {
            slot.countMismatch()
            return
        }
        let bytes = Array(envelope.data.readableBytesView)
        guard let message = try? DNSMessage(decoding: bytes), matcher.matches(message) else {
            slot.countMismatch()
            return
        }
        slot.deliver(DNSReceivedAnswer(bytes: bytes, message: message))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP errors on an unconnected socket are not reliable news; the timeout decides.
    }
}

/// Reads one length-prefixed answer from a TCP stream (RFC 1035 §4.2.2).
final class DNSStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let server: String
    private let slot: DNSResponseSlot
    private var buffer = ByteBuffer()

    init(server: String, slot: DNSResponseSlot) {
        self.server = server
        self.slot = slot
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
              buffer.readableBytes >= 2 + Int(length) else { return }
        buffer.moveReaderIndex(forwardBy: 2)
        guard let bytes = buffer.readBytes(length: Int(length)) else { return }
        do {
            let message = try DNSMessage(decoding: bytes)
            slot.deliver(DNSReceivedAnswer(bytes: bytes, message: message))
        } catch {
            slot.failForever(DNSExchangeError.badResponse(server: server, reason: "\(error)"))
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        slot.failForever(DNSExchangeError.connectionFailed(server: server, reason: "connection closed before a whole answer arrived"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        slot.failForever(DNSExchangeError.connectionFailed(server: server, reason: "\(error)"))
        context.close(promise: nil)
    }
}
