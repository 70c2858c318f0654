import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends one command to a running daemon's control socket and returns its JSON answer.
public enum ControlClient {
    public enum Failure: Error, CustomStringConvertible {
        /// No daemon is listening (no socket, or a stale one).
        case notRunning(String)
        case permissionDenied(String)
        case failed(String)

        public var description: String {
            switch self {
            case .notRunning(let path): return "homeport is not running (no daemon answers on \(path))"
            case .permissionDenied(let path): return "permission denied on \(path); run this as the user the daemon runs as (with sudo if it runs as root)"
            case .failed(let message): return message
            }
        }
    }

    public static func request(socketPath: String, command: String, timeout: TimeAmount = .seconds(5)) async throws(Failure) -> [UInt8] {
        // EACCES here means a directory on the way may not be searched: the socket may well
        // be there, so that is no evidence that the daemon is down.
        if access(socketPath, F_OK) != 0 {
            throw errno == EACCES || errno == EPERM ? .permissionDenied(socketPath) : .notRunning(socketPath)
        }
        if access(socketPath, R_OK | W_OK) != 0 { throw .permissionDenied(socketPath) }
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(timeout)
                .connect(unixDomainSocketPath: socketPath) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                group.addTask {
                    try await channel.executeThenClose { inbound, outbound in
                        try await outbound.write(ByteBuffer(string: command + "\n"))
                        var reply: [UInt8] = []
                        for try await chunk in inbound {
                            reply.append(contentsOf: chunk.readableBytesView)
                            if reply.count > 64 * 1024 * 1024 { break }
                        }
                        if reply.last == UInt8(ascii: "\n") { reply.removeLast() }
                        return reply
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .nanoseconds(timeout.nanoseconds))
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                guard let reply = first else {
                    throw Failure.failed("the daemon did not answer on \(socketPath) within \(timeout.nanoseconds / 1_000_000_000)s")
                }
                return reply
            }
        } catch let failure as Failure {
            throw failure
        } catch let error as IOError where error.errnoCode == ECONNREFUSED || error.errnoCode == ENOENT {
            throw .notRunning(socketPath)
        } catch let error as IOError where error.errnoCode == EACCES || error.errnoCode == EPERM {
            throw .permissionDenied(socketPath)
        } catch {
            throw .failed("cannot talk to the daemon on \(socketPath): \(error)")
        }
    }
}
