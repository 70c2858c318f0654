import NIOCore
import NIOPosix
import RustDeskWire

/// A minimal client for the rendezvous protocol: what the health check and the tests need.
public enum RendezvousClient {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The NAT-test round trip (docs/rustdesk-protocol.md#nat-test): the port the server saw must be the one we used.
    public static func natTest(host: String = "127.0.0.1", port: Int, timeout: TimeAmount = .seconds(3)) async throws -> Int {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(FrameDecoder(maximumPayload: 64 * 1024)),
                        MessageToByteHandler(FrameEncoder()),
                    ])
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let localPort = channel.channel.localAddress?.port ?? -1
        return try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask {
                try await channel.executeThenClose { inbound, outbound in
                    var request = Hbb_RendezvousMessage()
                    request.testNatRequest = .with { $0.serial = 0 }
                    try await outbound.write(ByteBuffer(bytes: RendezvousCoding.encode(request)))
                    for try await frame in inbound {
                        guard case .testNatResponse(let response)? = RendezvousCoding.decode(frame.readableBytesView)?.union else {
                            throw Failure(description: "unexpected answer to a NAT test on port \(port)")
                        }
                        guard Int(response.port) == localPort else {
                            throw Failure(description: "NAT test on port \(port) reported port \(response.port), expected \(localPort)")
                        }
                        return Int(response.port)
                    }
                    throw Failure(description: "no answer to a NAT test on port \(port)")
                }
            }
            group.addTask {
                try await Task.sleep(for: .nanoseconds(timeout.nanoseconds))
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            guard let first else { throw Failure(description: "no answer to a NAT test on port \(port) within \(timeout.nanoseconds / 1_000_000) ms") }
            return first
        }
    }
}
