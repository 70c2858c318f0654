import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import RustDeskWire
import Subprocess
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A WebSocket client for the rendezvous server's P+2 listener: an HTTP/1.1 upgrade to
/// `ws://127.0.0.1:<port><path>` from a chosen loopback address, then whole frames in and out.
final class WebSocketPeer: Sendable {
    let channel: any Channel
    let inbox: Inbox<WebSocketFrame>

    private init(channel: any Channel, inbox: Inbox<WebSocketFrame>) {
        self.channel = channel
        self.inbox = inbox
    }

    struct UpgradeFailed: Error, CustomStringConvertible {
        let description: String
    }

    static func connect(port: Int, from ip: String = "127.0.0.1", path: String = "/ws/id") async throws -> WebSocketPeer {
        let inbox = Inbox<WebSocketFrame>()
        let upgraded = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(to: try SocketAddress(ipAddress: ip, port: 0))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = NIOWebSocketClientUpgrader(maxFrameSize: 1 << 20, automaticErrorHandling: false) { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(InboxHandler(inbox))
                            upgraded.succeed()
                        }
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(
                        leftOverBytesStrategy: .forwardBytes,
                        withClientUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                    try channel.pipeline.syncOperations.addHandler(
                        UpgradeRequestHandler(host: "127.0.0.1:\(port)", path: path, upgraded: upgraded))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(5)) {
            upgraded.fail(UpgradeFailed(description: "no WebSocket upgrade within 5 s"))
        }
        do {
            try await upgraded.futureResult.get()
            timeout.cancel()
        } catch {
            timeout.cancel()
            try? await channel.close()
            throw error
        }
        return WebSocketPeer(channel: channel, inbox: inbox)
    }

    var localAddress: PeerAddress? { channel.localAddress.flatMap(PeerAddress.init) }
    var localPort: Int { channel.localAddress?.port ?? 0 }

    /// Sends one frame, masked as a client must.
    func send(_ opcode: WebSocketOpcode, _ bytes: [UInt8]) async throws {
        let frame = WebSocketFrame(fin: true, opcode: opcode, maskKey: .random(), data: ByteBuffer(bytes: bytes))
        try await channel.writeAndFlush(frame)
    }

    /// One RendezvousMessage as one binary message (no length prefix).
    func send(_ message: Hbb_RendezvousMessage) async throws {
        try await send(.binary, RendezvousCoding.encode(message))
    }

    /// The next frame, or nil on timeout or close.
    func receiveFrame(timeout: Duration = .seconds(2)) async -> WebSocketFrame? {
        await inbox.next(timeout: timeout)
    }

    /// Every frame received until the server closes the connection; nil if it is still open
    /// after `timeout`.
    func framesUntilClosed(timeout: Duration = .seconds(3)) async -> [WebSocketFrame]? {
        let deadline = ContinuousClock.now + timeout
        var frames: [WebSocketFrame] = []
        while ContinuousClock.now < deadline {
            if let frame = await inbox.next(timeout: .milliseconds(50)) {
                frames.append(frame)
            } else if inbox.isFinished {
                return frames
            }
        }
        return inbox.isFinished ? frames : nil
    }

    func close() async {
        try? await channel.close()
    }
}

/// Writes the upgrade request once connected; reports a refused upgrade or an early close.
private final class UpgradeRequestHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let host: String
    let path: String
    let upgraded: EventLoopPromise<Void>

    init(host: String, path: String, upgraded: EventLoopPromise<Void>) {
        self.host = host
        self.path = path
        self.upgraded = upgraded
    }

    func channelActive(context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        headers.add(name: "Content-Length", value: "0")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // After the upgrade WebSocket frames pass through here to the inbox.
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        upgraded.fail(WebSocketPeer.UpgradeFailed(description: "the server closed the connection before the upgrade"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        upgraded.fail(WebSocketPeer.UpgradeFailed(description: "WebSocket upgrade failed: \(error)"))
        context.close(promise: nil)
    }
}

/// A plain TCP connection exchanging raw bytes (for HTTP without an upgrade).
final class RawTCPClient: Sendable {
    let channel: any Channel
    let inbox = Inbox<ByteBuffer>()

    init(port: Int) async throws {
        let inbox = self.inbox
        channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(InboxHandler(inbox))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    /// Everything received until the server closes; nil if still open after `timeout`.
    func readUntilClosed(timeout: Duration = .seconds(3)) async -> String? {
        let deadline = ContinuousClock.now + timeout
        var received = ByteBuffer()
        while ContinuousClock.now < deadline {
            if var chunk = await inbox.next(timeout: .milliseconds(50)) {
                received.writeBuffer(&chunk)
            } else if inbox.isFinished {
                return String(buffer: received)
            }
        }
        return inbox.isFinished ? String(buffer: received) : nil
    }

    func close() async {
        try? await channel.close()
    }
}

// MARK: Child processes

extension HomeportProcess {
    /// How the process ended, or nil (after killing it) if it was still running at `timeout`.
    func exitStatus(within timeout: Duration) async throws -> TerminationStatus? {
        let ended = await eventually(timeout: timeout) { !processExists(pid) }
        if !ended {
            signal(SIGKILL)
            _ = try await wait()
            return nil
        }
        return try await wait()
    }

    /// SIGTERM, then the exit code (nil if it did not exit by itself within 10 s).
    func terminate() async throws -> Int32? {
        signal(SIGTERM)
        guard let status = try await exitStatus(within: .seconds(10)) else { return nil }
        if case .exited(let code) = status { return code }
        return nil
    }
}

/// A running `homeport rendezvous` (the real binary) on a random free base port, with its
/// state directory in `dir/state`. A crash takes down only the child, never the test run.
struct RendezvousChild {
    let process: HomeportProcess
    let port: Int
    let stateDirectory: String

    enum PortSource: Sendable { case flag, environment }

    static func start(_ extra: [String] = [], in dir: TemporaryDirectory, port portSource: PortSource = .flag,
                      environment: [String: String] = [:], workingDirectory: String? = nil) async throws -> RendezvousChild {
        let state = dir.file("state")
        var lastLog = ""
        for attempt in 0..<10 {
            let port = TestPorts.random()
            var arguments = ["rendezvous", "--state-dir", state] + extra
            var env = environment
            switch portSource {
            case .flag: arguments += ["-p", "\(port)"]
            case .environment: env["PORT"] = "\(port)"
            }
            let logPath = dir.file("rendezvous-\(attempt).log")
            let process = try await HomeportProcess.start(arguments, logPath: logPath, environment: env, workingDirectory: workingDirectory)
            let settled = await eventually(timeout: .seconds(20)) {
                !processExists(process.pid) || process.log.contains("rendezvous listening on")
            }
            if settled, processExists(process.pid) {
                return RendezvousChild(process: process, port: port, stateDirectory: state)
            }
            _ = try await process.exitStatus(within: .seconds(5))
            lastLog = process.log
            if !lastLog.contains("already in use") { break }
        }
        throw TestFailure("homeport rendezvous did not start; log:\n\(lastLog)")
    }

    /// The key clients must use (the default `-k -`: the generated id_ed25519.pub).
    var licenceKey: String {
        (try? String(contentsOfFile: stateDirectory + "/id_ed25519.pub", encoding: .utf8)) ?? ""
    }

    var publicKey: [UInt8] {
        Data(base64Encoded: licenceKey).map { Array($0) } ?? []
    }

    var isRunning: Bool { processExists(process.pid) }

    /// SIGTERM must end it with exit code 0.
    func stop(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let code = try await process.terminate()
        #expect(code == 0, "exit after SIGTERM; log:\n\(process.log)", sourceLocation: sourceLocation)
    }

    /// TestNatRequest on `port`; whether the answer carried this connection's source port.
    static func natTestAnswered(port: Int, from ip: String = "127.0.0.1") async -> Bool {
        guard let tcp = try? await TCPPeer(port: port, from: ip) else { return false }
        defer { Task { await tcp.close() } }
        let localPort = tcp.localPort
        guard (try? await tcp.send(.with { $0.testNatRequest = .with { $0.serial = 0 } })) != nil else { return false }
        guard case .testNatResponse(let response)? = await tcp.receive()?.union else { return false }
        return Int(response.port) == localPort
    }

    /// The raw answer to a PunchHoleRequest for an id nobody registered, on a new connection.
    static func punchUnknown(port: Int, key: String) async throws -> [UInt8]? {
        let a = try await TCPPeer(port: port, from: "127.0.0.2")
        defer { Task { await a.close() } }
        try await a.send(RendezvousConformanceTests.punchHoleRequest("555555555", key: key))
        return await a.receiveRaw()
    }
}
