import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The daemon's local control socket: a Unix domain socket (mode 0600, in the 0700 state
/// directory) where each connection sends one command line and receives one JSON document.
///
/// Commands are words (`status`), optionally followed by arguments; handlers are registered
/// by the daemon, so later features add commands without touching the transport.
/// Binding and serving are separate steps so that a socket that cannot be created stops the
/// daemon at start-up with one sentence, before any service is started.
public final class ControlServer: Sendable {
    public typealias Handler = @Sendable (_ command: String, _ arguments: [String]) async -> [UInt8]

    public let path: String
    private let channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>

    public struct BindError: Error, CustomStringConvertible {
        public let description: String
    }

    private init(path: String, channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>) {
        self.path = path
        self.channel = channel
    }

    /// Creates the socket file (replacing a stale one) with mode 0600.
    public static func bind(path: String) async throws(BindError) -> ControlServer {
        guard path.utf8.count < 100 else {
            throw BindError(description: "The control socket path \(path) is too long for a Unix socket (limit about 100 bytes); use a shorter --state-dir.")
        }
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder(maximumLength: 4096)))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            chmod(path, 0o600)
            return ControlServer(path: path, channel: channel)
        } catch {
            throw BindError(description: "Cannot create the control socket \(path): \(error).")
        }
    }

    /// Serves until the calling task is cancelled, then closes and removes the socket file.
    public func serve(_ handler: @escaping Handler) async throws {
        let channel = self.channel
        defer { unlink(path) }
        try await withTaskCancellationHandler {
            try await channel.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in connections {
                        group.addTask {
                            try? await Self.answer(connection, handler: handler)
                        }
                    }
                }
            }
        } onCancel: {
            channel.channel.close(promise: nil)
        }
    }

    private static func answer(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, handler: Handler) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            guard let line = try await iterator.next() else { return }
            let words = String(buffer: line).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let command = words.first else { return }
            var reply = await handler(command, Array(words.dropFirst()))
            reply.append(UInt8(ascii: "\n"))
            try await outbound.write(ByteBuffer(bytes: reply))
        }
    }
}
