import InternetAddress
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// One UDP socket whose datagrams arrive as an AsyncStream (single consumer).
///
/// A fresh socket is used per exchange: cancelling an AsyncStream iteration ends the stream.
final class UDPSocket: Sendable {
    let channel: Channel
    let datagrams: AsyncStream<AddressedEnvelope<ByteBuffer>>

    private init(channel: Channel, datagrams: AsyncStream<AddressedEnvelope<ByteBuffer>>) {
        self.channel = channel
        self.datagrams = datagrams
    }

    /// Binds to `host`:`port` (port 0 for an ephemeral one). `reuse` lets several listeners share
    /// a well-known port such as the announcement port 5350.
    static func bind(host: String, port: Int, reuse: Bool = false,
                     group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> UDPSocket {
        let (stream, continuation) = AsyncStream<AddressedEnvelope<ByteBuffer>>.makeStream(bufferingPolicy: .bufferingNewest(64))
        var bootstrap = DatagramBootstrap(group: group)
        if reuse {
            bootstrap = bootstrap.channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelOption(ChannelOptions.socket(SocketOptionLevel(SOL_SOCKET), SO_REUSEPORT), value: 1)
        }
        let channel: Channel
        do {
            channel = try await bootstrap
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(DatagramForwarder(continuation: continuation))
                    }
                }
                .bind(host: host, port: port).get()
        } catch {
            continuation.finish()
            throw PortMappingError.socket("cannot bind UDP \(host):\(port): \(error)")
        }
        return UDPSocket(channel: channel, datagrams: stream)
    }

    var localAddress: SocketAddress? { channel.localAddress }

    func send(_ bytes: [UInt8], to address: SocketAddress) async throws {
        let buffer = channel.allocator.buffer(bytes: bytes)
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: buffer))
    }

    func close() async {
        try? await channel.close()
    }

    /// Sets the interface multicast leaves from and its TTL.
    func setMulticastInterface(_ address: IPAddress, ttl: UInt8) async {
        guard let provider = channel as? SocketOptionProvider, let bits = address.ipv4HostOrder else { return }
        var addr = in_addr()
        addr.s_addr = bits.bigEndian
        _ = try? await provider.setIPMulticastIF(addr).get()
        _ = try? await provider.setIPMulticastTTL(CUnsignedChar(ttl)).get()
    }

    func joinGroup(_ group: IPAddress) async throws {
        guard let multicast = channel as? MulticastChannel else {
            throw PortMappingError.socket("channel cannot join multicast groups")
        }
        let address = try SocketAddress(ipAddress: group.description, port: 0)
        try await multicast.joinGroup(address).get()
    }
}

private final class DatagramForwarder: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let continuation: AsyncStream<AddressedEnvelope<ByteBuffer>>.Continuation

    init(continuation: AsyncStream<AddressedEnvelope<ByteBuffer>>.Continuation) {
        self.continuation = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        continuation.yield(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // ICMP port unreachable and the like surface here; the exchange times out instead.
    }
}

extension SocketAddress {
    /// The IPv4 address of this socket address, if it is one.
    var ipv4: IPAddress? {
        guard case .v4(let address) = self else { return nil }
        return IPAddress(ipv4HostOrder: UInt32(bigEndian: address.address.sin_addr.s_addr))
    }
}

/// Sends a request to a router over UDP and waits for the first valid answer, retransmitting
/// per RFC 6886 section 3.1 (first after 250 ms, doubling) until `totalTimeout`.
///
/// Answers from any address other than the gateway's are dropped and logged. An answer that
/// fails to decode is logged and dropped too (a forged or broken packet must not end the
/// exchange); if nothing valid follows, the last decode error is thrown instead of a timeout.
/// A decoded refusal (a router result code) ends the exchange at once.
func udpExchange<Response: Sendable>(
    protocol proto: MappingProtocol,
    what: String,
    request: [UInt8],
    gateway: IPAddress,
    serverPort: Int,
    localAddress: IPAddress,
    initialRetransmit: Duration = .milliseconds(250),
    totalTimeout: Duration,
    logger: Logger,
    decode: @escaping @Sendable ([UInt8]) throws -> Response
) async throws -> Response {
    let socket = try await UDPSocket.bind(host: localAddress.description, port: 0)
    let destination: SocketAddress
    do {
        destination = try SocketAddress(ipAddress: gateway.description, port: serverPort)
    } catch {
        await socket.close()
        throw PortMappingError.socket("bad gateway address \(gateway): \(error)")
    }
    let lastMalformed = LockedBox<PortMappingError?>(nil)
    defer { Task { await socket.close() } }

    return try await withThrowingTaskGroup(of: Response?.self) { group in
        group.addTask {
            for await envelope in socket.datagrams {
                guard envelope.remoteAddress.ipv4 == gateway, envelope.remoteAddress.port == serverPort else {
                    logger.warning("\(proto.rawValue): dropped \(what) answer from \(envelope.remoteAddress), not from the gateway \(gateway):\(serverPort)")
                    lastMalformed.withLock { $0 = .malformedResponse(proto, "answer came from \(envelope.remoteAddress), not the gateway") }
                    continue
                }
                let bytes = Array(envelope.data.readableBytesView)
                do {
                    return try decode(bytes)
                } catch let error as PortMappingError where !error.isRefusal {
                    logger.warning("\(proto.rawValue): dropped \(what) answer from \(gateway): \(error)")
                    lastMalformed.withLock { $0 = error }
                }
            }
            return nil
        }
        group.addTask {
            let deadline = ContinuousClock.now + totalTimeout
            var delay = initialRetransmit
            while ContinuousClock.now < deadline {
                do {
                    try await socket.send(request, to: destination)
                } catch {
                    throw PortMappingError.socket("cannot send the \(what) to \(gateway):\(serverPort): \(error)")
                }
                let remaining = deadline - ContinuousClock.now
                try await Task.sleep(for: min(delay, remaining))
                delay *= 2
            }
            return nil
        }
        defer { group.cancelAll() }
        while let next = try await group.next() {
            if let response = next { return response }
            // Either the sender ran out of time or the socket closed.
            break
        }
        if let error = lastMalformed.withLock({ $0 }) { throw error }
        throw PortMappingError.timeout(proto, "\(what) to \(gateway):\(serverPort) after \(totalTimeout)")
    }
}

/// A Sendable reference to a value behind a lock, for sharing between child tasks.
final class LockedBox<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }

    var value: Value { mutex.withLock { $0 } }
}
