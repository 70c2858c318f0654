import NIOCore
import NIOPosix

/// A check that a running service actually serves. Throwing means unhealthy; the error's
/// description is what the user sees.
public protocol HealthProbe: Sendable {
    /// Stable text that identifies the check ("tcp:8080"); a change restarts the service.
    var identity: String { get }
    func check() async throws
}

public struct HealthCheckFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Healthy when a TCP connection to `port` on loopback is accepted within the timeout.
public struct TCPConnectProbe: HealthProbe {
    public let port: Int
    public let timeout: TimeAmount

    public init(port: Int, timeout: TimeAmount = .seconds(2)) {
        self.port = port
        self.timeout = timeout
    }

    public var identity: String { "tcp:\(port)" }

    public func check() async throws {
        if try await !TCPPort.acceptsConnections(port: port, timeout: timeout) {
            throw HealthCheckFailure("nothing accepts connections on tcp:\(port)")
        }
    }
}

/// Asking whether something listens on a TCP port, the way a client would: by connecting.
public enum TCPPort {
    public static func acceptsConnections(port: Int, host: String = "127.0.0.1", timeout: TimeAmount = .seconds(2)) async throws -> Bool {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout)
        do {
            let channel = try await bootstrap.connect(host: host, port: port).get()
            try? await channel.close()
            return true
        } catch let error as IOError where [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH].contains(error.errnoCode) {
            return false
        } catch is ChannelError {
            return false
        } catch let error as NIOConnectionError {
            _ = error
            return false
        }
    }
}
