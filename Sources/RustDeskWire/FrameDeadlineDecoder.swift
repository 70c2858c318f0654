import NIOCore

/// A `FrameDecoder` with a deadline per frame: once a frame's first byte has arrived, its last
/// must arrive within `deadline`, or `expired` runs and the connection is closed. An idle
/// timeout alone ("no byte for 30 s") lets a client announce a large frame and then send one
/// byte every 20 s, holding the connection forever (slowloris).
public struct FrameDeadlineDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    private let frames: FrameDecoder
    private let deadline: TimeAmount
    private let expired: @Sendable () -> Void
    private var timer: Scheduled<Void>?

    public init(maximumPayload: Int, deadline: TimeAmount, expired: @escaping @Sendable () -> Void) {
        self.frames = FrameDecoder(maximumPayload: maximumPayload)
        self.deadline = deadline
        self.expired = expired
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if let payload = try frames.nextFrame(from: &buffer) {
            timer?.cancel()
            timer = nil
            context.fireChannelRead(wrapInboundOut(payload))
            return .continue
        }
        // Part of a frame is here: its clock starts now (bytes left over after a whole frame
        // belong to the next one, which starts when they were read).
        if timer == nil, buffer.readableBytes > 0 {
            let channel = context.channel
            let expired = self.expired
            timer = context.eventLoop.scheduleTask(in: deadline) {
                expired()
                channel.close(promise: nil)
            }
        }
        return .needMoreData
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        timer?.cancel()
        timer = nil
        while let payload = try frames.nextFrame(from: &buffer) {
            context.fireChannelRead(wrapInboundOut(payload))
        }
        return .needMoreData
    }

    public mutating func decoderRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }
}
