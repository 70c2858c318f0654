import NIOCore

/// Writes each outbound payload as one RustDesk TCP frame: shortest header, then the bytes
/// (docs/rustdesk-protocol.md#tcp-frames).
public struct FrameEncoder: MessageToByteEncoder, Sendable {
    public typealias OutboundIn = ByteBuffer

    public init() {}

    public func encode(data: ByteBuffer, out: inout ByteBuffer) throws {
        guard let header = FrameHeader.encode(length: data.readableBytes) else {
            throw FrameTooLarge(length: data.readableBytes, maximum: FrameHeader.maximumLength)
        }
        out.reserveCapacity(header.count + data.readableBytes)
        out.writeBytes(header)
        out.writeImmutableBuffer(data)
    }
}
