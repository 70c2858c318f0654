import NIOCore

/// Splits a RustDesk TCP stream into payloads (docs/rustdesk-protocol.md#tcp-frames). Accepts non-minimal headers, as
/// upstream does; a zero-length frame yields an empty buffer.
public struct FrameDecoder: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = ByteBuffer

    /// Largest payload accepted; a larger announced length throws `FrameTooLarge`.
    public let maximumPayload: Int

    public init(maximumPayload: Int) {
        self.maximumPayload = maximumPayload
    }

    /// Removes one complete frame from the front of `buffer` and returns its payload, or returns
    /// nil (consuming nothing) while the frame is incomplete. Usable without a channel.
    public func nextFrame(from buffer: inout ByteBuffer) throws -> ByteBuffer? {
        let start = buffer.readerIndex
        guard let first = buffer.getInteger(at: start, as: UInt8.self) else { return nil }
        let headerLength = FrameHeader.headerLength(firstByte: first)
        guard buffer.readableBytes >= headerLength else { return nil }
        var value: UInt32 = 0
        for offset in 0..<headerLength {
            guard let byte = buffer.getInteger(at: start + offset, as: UInt8.self) else { return nil }
            value |= UInt32(byte) << (8 * offset)
        }
        let length = Int(value >> 2)
        // Checked before waiting for the payload, so an absurd length never causes buffering.
        guard length <= maximumPayload else {
            throw FrameTooLarge(length: length, maximum: maximumPayload)
        }
        guard buffer.readableBytes - headerLength >= length else { return nil }
        buffer.moveReaderIndex(forwardBy: headerLength)
        return buffer.readSlice(length: length)
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let payload = try nextFrame(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(payload))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        // Deliver every complete frame; a trailing partial frame is dropped with the connection.
        while let payload = try nextFrame(from: &buffer) {
            context.fireChannelRead(wrapInboundOut(payload))
        }
        return .needMoreData
    }
}
