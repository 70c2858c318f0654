import NIOCore
import RustDeskWire

/// The frame decoder of a TCP side paired with a WebSocket side: a frame must be whole before
/// it can become a message, so the decoder holds it while it arrives. Reading is gated on the
/// partner (RelayGlue) only for whole frames, so what a half-sent frame holds is reserved in
/// the relay-wide `ByteBudget` instead; a connection that would exceed it is closed.
struct BudgetedFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    struct OverBudget: Error {}

    private let frames: FrameDecoder
    private let budget: ByteBudget
    private let overBudget: @Sendable () -> Void
    private var reserved = 0

    init(maximumPayload: Int, budget: ByteBudget, overBudget: @escaping @Sendable () -> Void) {
        self.frames = FrameDecoder(maximumPayload: maximumPayload)
        self.budget = budget
        self.overBudget = overBudget
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if let payload = try frames.nextFrame(from: &buffer) {
            try hold(buffer.readableBytes)
            context.fireChannelRead(wrapInboundOut(payload))
            return .continue
        }
        try hold(buffer.readableBytes)
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while let payload = try frames.nextFrame(from: &buffer) {
            context.fireChannelRead(wrapInboundOut(payload))
        }
        try hold(buffer.readableBytes)
        return .needMoreData
    }

    mutating func decoderRemoved(context: ChannelHandlerContext) {
        budget.release(reserved)
        reserved = 0
    }

    /// Keeps the reservation equal to the bytes held (the decoder's buffer).
    private mutating func hold(_ count: Int) throws {
        if count > reserved {
            guard budget.reserve(count - reserved) else {
                overBudget()
                throw OverBudget()
            }
        } else {
            budget.release(reserved - count)
        }
        reserved = count
    }
}
