import InternetAddress
import NIOCore
import NIOPosix
import Synchronization
@testable import NATBehavior

/// A STUN server on loopback whose answers the test writes: for each request (its bytes, where
/// it came from, how many came before), the datagrams to send back and from which of the
/// server's two ports. For the hostile and broken answers stund never gives.
final class ScriptedSTUNServer: Sendable {
    enum Source: Sendable { case server, otherPort }
    typealias Script = @Sendable (_ request: [UInt8], _ from: TransportEndpoint, _ index: Int) -> [(Source, [UInt8])]

    private let channel: any Channel
    private let other: any Channel
    let requests = RequestCount()

    var endpoint: TransportEndpoint { TransportEndpoint(address: "127.0.0.1", port: channel.localAddress?.port ?? 0) }
    var server: STUNServer { STUNServer(host: "127.0.0.1", port: endpoint.port) }

    init(_ script: @escaping Script) async throws {
        let other = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let requests = self.requests
        channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(script: script, other: other, requests: requests))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.other = other
    }

    /// Answers every request with XOR-MAPPED-ADDRESS `mapped(source)` (the source itself by default).
    static func honest(_ mapped: @escaping @Sendable (TransportEndpoint) -> TransportEndpoint = { $0 }) async throws -> ScriptedSTUNServer {
        try await ScriptedSTUNServer { request, from, _ in [(.server, answer(to: request, mapped: mapped(from)))] }
    }

    static func transactionID(of request: [UInt8]) -> STUNTransactionID {
        STUNTransactionID(bytes: Array(request.dropFirst(8).prefix(12))) ?? STUNMessageTests.vectorID
    }

    /// A success response to `request` carrying `mapped` as XOR-MAPPED-ADDRESS (IPv4).
    static func answer(to request: [UInt8], mapped: TransportEndpoint, id: STUNTransactionID? = nil) -> [UInt8] {
        let id = id ?? transactionID(of: request)
        let port = UInt16(mapped.port) ^ 0x2112
        let cookie: [UInt8] = [0x21, 0x12, 0xa4, 0x42]
        let address = zip(mapped.address.bytes, cookie).map { $0 ^ $1 }
        return STUNMessageTests.response(id: id, [(0x0020, [0x00, 0x01, UInt8(port >> 8), UInt8(port & 0xff)] + address)], fingerprint: true)
    }

    func close() async {
        try? await channel.close()
        try? await other.close()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>
        let script: Script
        let other: any Channel
        let requests: RequestCount

        init(script: @escaping Script, other: any Channel, requests: RequestCount) {
            self.script = script
            self.other = other
            self.requests = requests
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            guard let from = envelope.remoteAddress.endpoint else { return }
            let index = requests.next()
            // In order: each datagram leaves once the one before it is written. The other port's
            // channel may be on another event loop; without the chain a later reply could
            // overtake it and the probe finish before it arrived.
            let channel = context.channel
            var sent = context.eventLoop.makeSucceededVoidFuture()
            for (source, bytes) in script(Array(envelope.data.readableBytesView), from, index) {
                let reply = AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: bytes))
                let through = source == .server ? channel : other
                sent = sent.flatMap { through.writeAndFlush(reply) }
            }
        }
    }
}

/// How many requests a scripted server has had.
final class RequestCount: Sendable {
    private let mutex = Mutex(0)

    /// The number before this request; counts it.
    func next() -> Int {
        mutex.withLock { count in
            defer { count += 1 }
            return count
        }
    }

    var value: Int { mutex.withLock { $0 } }
}
