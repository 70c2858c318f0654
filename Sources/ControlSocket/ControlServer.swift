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
public struct ControlServer: Sendable {
    public typealias Handler = @Sendable (_ command: String, _ arguments: [String]) async -> [UInt8]

    public let path: String
    private let handler: Handler

    public init(path: String, handler: @escaping Handler) {
        self.path = path
        self.handler = handler
    }

    public struct BindError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Binds and serves until the calling task is cancelled; removes the socket file after.
    public func run(onReady: @Sendable () -> Void = {}) async throws {
        guard path.utf8.count < 100 else {
            throw BindError(description: "The control socket path \(path) is too long for a Unix socket (limit about 100 bytes); use a shorter --state-dir.")
        }
        let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
        do {
            server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder(maximumLength: 4096)))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw BindError(description: "Cannot create the control socket \(path): \(error).")
        }
        chmod(path, 0o600)
        onReady()
        let handler = self.handler
        defer { unlink(path) }
        try await withTaskCancellationHandler {
            try await server.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in connections {
                        group.addTask {
                            try? await Self.serve(connection, handler: handler)
                        }
                    }
                }
            }
        } onCancel: {
            server.channel.close(promise: nil)
        }
    }

    private static func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, handler: Handler) async throws {
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
