import NIOCore
import NIOPosix
import RustDeskWire

/// `register_peer`: a RegisterPeer datagram for a random id the server cannot know, so it
/// answers `request_pk = true` and stores nothing (docs/rustdesk-protocol.md#register-peer).
/// The socket is connected, so an ICMP port unreachable comes back as ECONNREFUSED (udp(7)).
/// The datagram is sent three times across the timeout, as UDP may lose one.
enum RegisterPeerCheck {
    static let sends = 3

    static func run(_ target: ProbeTarget) async -> PortFinding {
        let start = ContinuousClock.now
        let deadline = NIODeadline.now() + target.timeoutAmount
        let destination: SocketAddress
        let channel: NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>
        do {
            destination = try target.socketAddress()
            channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(to: destination) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            return ConnectFailure.outcome(of: error, transport: .udp, target: target, startedAt: start)
        }
        var request = Hbb_RendezvousMessage()
        request.registerPeer = .with {
            $0.id = randomID()
            $0.serial = 0
        }
        let datagram = AddressedEnvelope(remoteAddress: destination, data: ByteBuffer(bytes: RendezvousCoding.encode(request)))
        let raw = channel.channel
        let closer = raw.eventLoop.scheduleTask(deadline: deadline) { raw.close(promise: nil) }
        let resends = (1..<sends).map { index in
            raw.eventLoop.scheduleTask(in: .nanoseconds(target.timeoutAmount.nanoseconds * Int64(index) / Int64(sends))) {
                raw.writeAndFlush(datagram, promise: nil)
            }
        }
        defer {
            closer.cancel()
            resends.forEach { $0.cancel() }
        }
        do {
            return try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(datagram)
                var unexpected: [UInt8]?
                for try await envelope in inbound {
                    let bytes = Array(envelope.data.readableBytesView)
                    switch RendezvousCoding.decode(bytes)?.union {
                    case .registerPeerResponse?:
                        return PortFinding(.open, start.millisecondsElapsed, "the RustDesk server answered RegisterPeerResponse")
                    case .configureUpdate?:
                        // The server may follow its answer with a ConfigUpdate; the answer decides.
                        continue
                    default:
                        unexpected = unexpected ?? bytes
                    }
                }
                if let unexpected {
                    return PortFinding(.other, start.millisecondsElapsed,
                                       "answered \"\(AnswerPreview.text(unexpected))\", not a RustDesk RegisterPeerResponse")
                }
                return PortFinding(.filtered, nil, "no answer to \(sends) RegisterPeer datagrams within \(target.timeoutText)")
            }
        } catch {
            return ConnectFailure.outcome(of: error, transport: .udp, target: target, startedAt: start)
        }
    }

    /// A RustDesk-shaped id no client has: RustDesk ids are digits, this one has letters.
    private static func randomID() -> String {
        "homeportprobe" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }
}
