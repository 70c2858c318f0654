import NIOCore
import NIOPosix

/// `tcp_connect`: open when the three-way handshake completes.
enum TCPConnectCheck {
    static func run(_ target: ProbeTarget) async -> PortFinding {
        let start = ContinuousClock.now
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(target.timeoutAmount)
                .connect(to: try target.socketAddress()).get()
            let latency = start.millisecondsElapsed
            try? await channel.close()
            return PortFinding(.open, latency, "the connection was accepted")
        } catch {
            return ConnectFailure.outcome(of: error, transport: .tcp, target: target, startedAt: start)
        }
    }
}
