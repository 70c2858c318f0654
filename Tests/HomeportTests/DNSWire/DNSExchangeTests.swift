import DNSWire
import InternetAddress
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// The UDP exchange's answer matching and retransmission, against a local responder that
/// misbehaves on purpose (stands in for an off-path spoofer; real servers are tested with named).
@Suite struct DNSExchangeTests {
    /// Answers each query with the datagrams `reply` returns (source: the responder's socket, or
    /// a second socket on 127.0.0.2 for spoofed-source replies).
    final class Responder: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>

        let reply: @Sendable (Int, DNSMessage) -> [(spoofedSource: Bool, bytes: [UInt8])]
        let spoofer: any Channel
        let received = Mutex(0)

        init(spoofer: any Channel, reply: @escaping @Sendable (Int, DNSMessage) -> [(spoofedSource: Bool, bytes: [UInt8])]) {
            self.spoofer = spoofer
            self.reply = reply
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            guard let query = try? DNSMessage(decoding: Array(envelope.data.readableBytesView)) else { return }
            let count = received.withLock { value -> Int in
                value += 1
                return value
            }
            // In order: each datagram is sent once the one before it is written. The spoofed
            // ones leave through another channel (another event loop), so without the chain the
            // real answer could overtake one and the exchange end before it arrived.
            let channel = context.channel
            var sent = context.eventLoop.makeSucceededVoidFuture()
            for (spoofed, bytes) in reply(count, query) {
                let out = AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: bytes))
                let through = spoofed ? spoofer : channel
                sent = sent.flatMap { through.writeAndFlush(out) }
            }
        }
    }

    static func withResponder(_ reply: @escaping @Sendable (Int, DNSMessage) -> [(spoofedSource: Bool, bytes: [UInt8])],
                              _ body: (DNSServer) async throws -> Void) async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let spoofer = try await DatagramBootstrap(group: group).bind(host: "127.0.0.2", port: 0).get()
        let channel = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Responder(spoofer: spoofer, reply: reply))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        do {
            try await body(try DNSServer("127.0.0.1", port: channel.localAddress?.port ?? 0))
        } catch {
            try? await channel.close()
            try? await spoofer.close()
            throw error
        }
        try? await channel.close()
        try? await spoofer.close()
    }

    static func answer(to query: DNSMessage, id: UInt16? = nil, name: String? = nil) throws -> [UInt8] {
        var answer = query
        answer.id = id ?? query.id
        answer.isResponse = true
        if let name { answer.questions = [DNSQuestion(name: try DNSName(name), type: .a)] }
        answer.answers = [DNSResourceRecord(name: answer.questions[0].name, type: .a, ttl: 60, data: .a(try IPAddress(parsing: "192.0.2.55")))]
        return try answer.encode()
    }

    @Test func answersFromElsewhereOrForAnotherQueryAreDroppedAndCounted() async throws {
        try await Self.withResponder({ _, query in
            [
                (false, (try? Self.answer(to: query, id: query.id &+ 1)) ?? []),           // wrong ID
                (false, [0xde, 0xad]),                                                    // garbage
                (false, (try? Self.answer(to: query, name: "other.home.test")) ?? []),   // other question
                (true, (try? Self.answer(to: query)) ?? []),                              // right answer, wrong source
                (false, (try? Self.answer(to: query)) ?? []),                             // the real one
            ]
        }) { server in
            let result = try await DNSExchange(timeout: .seconds(5), attempts: 1)
                .send(.query(name: try DNSName("host.home.test"), type: .a), to: server)
            #expect(result.transport == .udp)
            #expect(result.message.answers.first?.data.address?.description == "192.0.2.55")
            #expect(result.droppedResponses == 4)
        }
    }

    @Test func anUnansweredQueryIsSentAgain() async throws {
        try await Self.withResponder({ count, query in
            count == 1 ? [] : [(false, (try? Self.answer(to: query)) ?? [])]
        }) { server in
            let result = try await DNSExchange(timeout: .seconds(1), attempts: 3)
                .send(.query(name: try DNSName("host.home.test"), type: .a), to: server)
            #expect(result.message.answers.count == 1)
        }
    }

    @Test func silenceEndsInTimedOutAfterTheAttempts() async throws {
        try await Self.withResponder({ _, _ in [] }) { server in
            await #expect(throws: DNSExchangeError.timedOut(server: server.description, attempts: 2, transport: "UDP")) {
                try await DNSExchange(timeout: .milliseconds(200), attempts: 2)
                    .send(.query(name: try DNSName("host.home.test"), type: .a), to: server)
            }
        }
    }
}
