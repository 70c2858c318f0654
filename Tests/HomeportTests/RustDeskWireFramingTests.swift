import NIOCore
import NIOPosix
import Testing
@testable import RustDeskWire

@Suite struct RustDeskWireFramingTests {
    /// docs/rustdesk-protocol.md#tcp-frames worked examples: payload length → minimal header.
    static let headerRows: [(length: Int, header: String)] = [
        (0, "00"), (5, "14"), (63, "fc"), (64, "01 01"), (100, "91 01"), (16_383, "fd ff"),
        (16_384, "02 00 01"), (20_000, "82 38 01"), (4_194_303, "fe ff ff"),
        (4_194_304, "03 00 00 01"), (1_073_741_823, "ff ff ff ff"),
    ]

    @Test(arguments: headerRows)
    func headerEncodesToTheSpecBytes(row: (length: Int, header: String)) {
        #expect(FrameHeader.encode(length: row.length) == wireHex(row.header))
    }

    @Test func lengthsNoHeaderCanCarryAreRefused() {
        #expect(FrameHeader.encode(length: 1_073_741_824) == nil)
        #expect(FrameHeader.encode(length: -1) == nil)
    }

    @Test func helloFrameIsByteExact() {
        #expect(FrameHeader.frame(Array("hello".utf8)) == wireHex("14 68 65 6c 6c 6f"))
        #expect(FrameHeader.frame(wireHex("82 01 02 08 06")) == wireHex("14 82 01 02 08 06"))
    }

    /// Every table row up to 4 MiB decodes back to its payload (the 1 GiB row is header-only).
    @Test(arguments: headerRows.filter { $0.length <= 4_194_304 })
    func everyRowDecodesBack(row: (length: Int, header: String)) throws {
        let payload = (0..<row.length).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var buffer = ByteBuffer(bytes: wireHex(row.header) + payload)
        let decoder = FrameDecoder(maximumPayload: 8 << 20)
        let frame = try decoder.nextFrame(from: &buffer)
        #expect(frame.map { Array($0.readableBytesView) } == payload)
        #expect(buffer.readableBytes == 0)
    }

    @Test func maximumHeaderDecodesItsLength() throws {
        var buffer = ByteBuffer(bytes: wireHex("ff ff ff ff"))
        let decoder = FrameDecoder(maximumPayload: Int.max)
        // Announces 2^30 − 1 bytes: waits for them, consuming nothing.
        #expect(try decoder.nextFrame(from: &buffer) == nil)
        #expect(buffer.readableBytes == 4)
    }

    /// A stream mixing the edge sizes and the non-minimal `15 00` header.
    static let stream: (bytes: [UInt8], payloads: [[UInt8]]) = {
        let payloads: [[UInt8]] = [[], Array("hello".utf8), [UInt8](repeating: 0xAB, count: 63),
                                   [UInt8](repeating: 0xCD, count: 64), Array("world".utf8),
                                   [UInt8](repeating: 0xEF, count: 100)]
        var bytes: [UInt8] = []
        for (index, payload) in payloads.enumerated() {
            if index == 4 {
                bytes += wireHex("15 00") + payload  // non-minimal 2-byte header for 5 bytes
            } else {
                bytes += FrameHeader.frame(payload) ?? []
            }
        }
        return (bytes, payloads)
    }()

    /// Feeds `chunks` as a channel would: appended to one cumulation buffer, decoded after each.
    private func decodeChunks(_ chunks: [ArraySlice<UInt8>]) throws -> [[UInt8]] {
        let decoder = FrameDecoder(maximumPayload: 65_536)
        var cumulation = ByteBuffer()
        var frames: [[UInt8]] = []
        for chunk in chunks {
            cumulation.writeBytes(chunk)
            while let frame = try decoder.nextFrame(from: &cumulation) {
                frames.append(Array(frame.readableBytesView))
            }
        }
        return frames
    }

    @Test func nonMinimalHeaderIsAccepted() throws {
        #expect(try decodeChunks([wireHex("15 00 68 65 6c 6c 6f")[...]]) == [Array("hello".utf8)])
    }

    @Test func splitAtEveryByteBoundaryGivesTheSameFrames() throws {
        let bytes = Self.stream.bytes
        for cut in 0...bytes.count {
            let frames = try decodeChunks([bytes[..<cut], bytes[cut...]])
            #expect(frames == Self.stream.payloads, "split at \(cut)")
        }
        let oneByteAtATime = try decodeChunks(bytes.indices.map { bytes[$0...$0] })
        #expect(oneByteAtATime == Self.stream.payloads)
    }

    @Test func incompleteFrameConsumesNothing() throws {
        var buffer = ByteBuffer(bytes: wireHex("91 01") + [UInt8](repeating: 1, count: 99))
        #expect(try FrameDecoder(maximumPayload: 1000).nextFrame(from: &buffer) == nil)
        #expect(buffer.readableBytes == 101)
    }

    /// The length check happens on the header alone: no payload byte is needed (and so none is
    /// buffered) before the decoder refuses.
    @Test(arguments: [("ff ff ff ff", 1_073_741_823), ("06 00 04", 65_537), ("03 00 00 01", 4_194_304)])
    func oversizeFrameIsRefusedFromItsHeader(header: String, announced: Int) {
        var buffer = ByteBuffer(bytes: wireHex(header))
        #expect(throws: FrameTooLarge(length: announced, maximum: 65_536)) {
            try FrameDecoder(maximumPayload: 65_536).nextFrame(from: &buffer)
        }
    }

    @Test func frameOfExactlyTheMaximumIsAccepted() throws {
        var buffer = ByteBuffer(bytes: (FrameHeader.encode(length: 65_536) ?? []) + [UInt8](repeating: 9, count: 65_536))
        let frame = try FrameDecoder(maximumPayload: 65_536).nextFrame(from: &buffer)
        #expect(frame?.readableBytes == 65_536)
    }

    @Test func encoderWritesHeaderAndPayload() throws {
        for row in [0, 5, 63, 64, 100, 20_000] {
            let payload = [UInt8](repeating: 0x5A, count: row)
            var out = ByteBuffer()
            try FrameEncoder().encode(data: ByteBuffer(bytes: payload), out: &out)
            #expect(Array(out.readableBytesView) == FrameHeader.frame(payload))
        }
    }

    /// The handlers in a real pipeline over loopback TCP: the client dribbles the mixed stream
    /// one byte per write, the server decodes with FrameDecoder and echoes each payload through
    /// FrameEncoder, so the client must get back minimal frames of the same payloads.
    @Test func pipelineDecodesDribbledBytesAndEchoesMinimalFrames() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(FrameDecoder(maximumPayload: 65_536)),
                        MessageToByteHandler(FrameEncoder()),
                        FrameEchoHandler(),
                    ])
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let expected = Self.stream.payloads.flatMap { FrameHeader.frame($0) ?? [] }
        let received = group.next().makePromise(of: [UInt8].self)
        let client = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteCollector(count: expected.count, promise: received))
                }
            }
            .connect(to: try #require(server.localAddress)).get()
        for byte in Self.stream.bytes {
            try await client.writeAndFlush(ByteBuffer(bytes: [byte]))
        }
        let echoed = try await received.futureResult.get()
        #expect(wireHexString(echoed) == wireHexString(expected))
        try await client.close()
        try await server.close()
        try await group.shutdownGracefully()
    }

    @Test func pipelineClosesTheConnectionOnAnOversizeHeader() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(FrameDecoder(maximumPayload: 1024)),
                        CloseOnErrorHandler(),
                    ])
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let client = try await ClientBootstrap(group: group)
            .connect(to: try #require(server.localAddress)).get()
        try await client.writeAndFlush(ByteBuffer(bytes: wireHex("ff ff ff ff")))
        // The server closes; the client sees end of stream and closes too.
        let closed = try await withThrowingTaskGroup(of: Bool.self) { tasks in
            tasks.addTask { try await client.closeFuture.get(); return true }
            tasks.addTask { try await Task.sleep(for: .seconds(10)); return false }
            let first = try await tasks.next() ?? false
            tasks.cancelAll()
            return first
        }
        #expect(closed)
        try? await client.close()
        try await server.close()
        try await group.shutdownGracefully()
    }
}

/// Writes every decoded payload straight back.
private final class FrameEchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(wrapOutboundOut(unwrapInboundIn(data)), promise: nil)
    }
}

/// Closes the channel when the decoder throws (what a server does on a protocol violation).
private final class CloseOnErrorHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// Collects raw bytes until `count` have arrived, then fulfils the promise.
private final class ByteCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let count: Int
    private let promise: EventLoopPromise<[UInt8]>
    private var bytes: [UInt8] = []
    private var done = false

    init(count: Int, promise: EventLoopPromise<[UInt8]>) {
        self.count = count
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        bytes += unwrapInboundIn(data).readableBytesView
        if !done, bytes.count >= count {
            done = true
            promise.succeed(bytes)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done {
            done = true
            promise.fail(ChannelError.eof)
        }
    }
}
