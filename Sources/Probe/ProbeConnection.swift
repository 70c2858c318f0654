import NIOCore
import NIOPosix

/// A TCP connection to the target for a check that exchanges messages: connected within the
/// target's timeout, and closed by itself at the deadline, which ends any read still waiting.
struct ProbeConnection<Inbound: Sendable, Outbound: Sendable> {
    let channel: NIOAsyncChannel<Inbound, Outbound>
    let deadline: NIODeadline
    private let closer: Scheduled<Void>

    /// The connection, or the finding when the connect itself failed. `configure` adds the
    /// handlers that turn bytes into `Inbound` and `Outbound` into bytes.
    static func open(_ target: ProbeTarget, startedAt start: ContinuousClock.Instant,
                     configure: @escaping @Sendable (any Channel) throws -> Void = { _ in }) async -> Opening {
        let deadline = NIODeadline.now() + target.timeoutAmount
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(target.timeoutAmount)
                .connect(to: try target.socketAddress()) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try configure(channel)
                        return try NIOAsyncChannel<Inbound, Outbound>(wrappingChannelSynchronously: channel)
                    }
                }
            let raw = channel.channel
            let closer = raw.eventLoop.scheduleTask(deadline: deadline) { raw.close(promise: nil) }
            return .connected(ProbeConnection(channel: channel, deadline: deadline, closer: closer))
        } catch {
            return .failed(ConnectFailure.outcome(of: error, transport: .tcp, target: target, startedAt: start))
        }
    }

    enum Opening {
        case connected(ProbeConnection)
        case failed(PortFinding)
    }

    /// Whether the deadline, rather than the other side, ended the connection.
    var timedOut: Bool { NIODeadline.now() >= deadline }

    /// Runs `body` on the connection and closes it.
    func exchange<Result: Sendable>(
        _ body: (NIOAsyncChannelInboundStream<Inbound>, NIOAsyncChannelOutboundWriter<Outbound>) async throws -> Result
    ) async throws -> Result {
        defer { closer.cancel() }
        return try await channel.executeThenClose(body)
    }
}
