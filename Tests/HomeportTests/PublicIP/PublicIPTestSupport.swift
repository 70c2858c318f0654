import Foundation
import InternetAddress
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing
@testable import PublicIP

#if canImport(Glibc)
import Glibc
#endif

/// A source whose answer the test sets, counting how often it was asked.
final class ScriptedSource: PublicIPSource, Sendable {
    let name: String
    let kind: SourceKind
    let family: IPFamily
    private let answer: Mutex<SourceAnswer>
    private let calls = Mutex(0)

    init(_ name: String, kind: SourceKind = .http, family: IPFamily = .ipv4, address: String?) {
        self.name = name
        self.kind = kind
        self.family = family
        answer = Mutex(ScriptedSource.answer(address, family: family))
    }

    static func answer(_ address: String?, family: IPFamily) -> SourceAnswer {
        guard let address, let parsed = IPAddress(address) else { return .failure(.timeout, latency: .milliseconds(1)) }
        return .validated(parsed, family: family, latency: .milliseconds(1))
    }

    func set(_ address: String?) { answer.withLock { $0 = ScriptedSource.answer(address, family: family) } }
    var callCount: Int { calls.withLock { $0 } }

    func lookup() async -> SourceAnswer {
        calls.withLock { $0 += 1 }
        return answer.withLock { $0 }
    }
}

func ip(_ text: String) -> IPAddress {
    guard let address = IPAddress(text) else { preconditionFailure("test address \(text) does not parse") }
    return address
}

/// A local stand-in for the internet echo services: replays their documented answers
/// (docs/public-ip-and-nat.md#sources) plus broken ones, on 127.0.0.1.
struct EchoReplayServer {
    let channel: any Channel
    var port: Int

    static func start() async throws -> EchoReplayServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(EchoReplayHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        return EchoReplayServer(channel: channel, port: port)
    }

    func url(_ path: String) -> URL {
        URL(string: "http://127.0.0.1:\(port)\(path)")!
    }

    func stop() async {
        try? await channel.close()
    }
}

private final class EchoReplayHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let trace = """
        fl=29f123
        h=1.1.1.1
        ip=203.0.113.77
        ts=1764070000.123
        visit_scheme=https
        uag=homeport
        colo=FRA
        sliver=none
        http=http/1.1
        loc=DE
        tls=TLSv1.3
        sni=off
        warp=off
        gateway=off
        rbi=off
        kex=X25519

        """

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        var headers = HTTPHeaders()
        var status = HTTPResponseStatus.ok
        var body = ""
        var chunked = false
        switch head.uri {
        case "/plain", "/plain2": body = "203.0.113.7\n"
        case "/plain-crlf": body = "  198.51.100.9\r\n"
        case "/trace": body = Self.trace
        case "/trace-v6": body = Self.trace.replacingOccurrences(of: "ip=203.0.113.77", with: "ip=2001:db8::77")
        case "/trace-warp": body = Self.trace.replacingOccurrences(of: "warp=off", with: "warp=on")
        case "/trace-no-ip": body = "fl=1\nh=x\n"
        case "/v6": body = "2001:db8:1::7\n"
        case "/private": body = "192.168.1.20\n"
        case "/cgnat": body = "100.64.3.4\n"
        case "/garbage": body = "<html>Current IP Address: who knows</html>\n"
        case "/empty": body = ""
        case "/big": body = String(repeating: "1", count: 10_000)
        case "/big-chunked":
            body = String(repeating: "2", count: 10_000)
            chunked = true
        case "/unauthorized":
            status = .unauthorized
            headers.add(name: "WWW-Authenticate", value: "Basic realm=\"echo\"")
            body = "no\n"
        case "/error": status = .internalServerError; body = "203.0.113.7\n"
        case "/slow": return  // never answers: the client's timeout must end it
        default: status = .notFound
        }
        if chunked { headers.add(name: "Transfer-Encoding", value: "chunked") } else { headers.add(name: "Content-Length", value: "\(body.utf8.count)") }
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        if chunked {
            for piece in body.utf8.chunks(ofCount: 1000) {
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: piece)))), promise: nil)
            }
        } else if !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

private extension String.UTF8View {
    func chunks(ofCount size: Int) -> [[UInt8]] {
        let bytes = Array(self)
        return stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<Swift.min($0 + size, bytes.count)]) }
    }
}

/// Network namespaces a test creates (random suffix) and removes.
final class NamespaceLab: Sendable {
    let suffix: String
    private let created = Mutex<[String]>([])

    static var isRoot: Bool { geteuid() == 0 }

    init() {
        suffix = String(UInt32.random(in: 0..<UInt32.max), radix: 16)
    }

    func name(_ role: String) -> String { "hp\(role)-\(suffix)" }

    @discardableResult
    func add(_ role: String) async throws -> String {
        let name = self.name(role)
        try await run("ip", "netns", "add", name)
        created.withLock { $0.append(name) }
        try await run("ip", "-n", name, "link", "set", "lo", "up")
        return name
    }

    func run(_ arguments: String...) async throws {
        try await run(arguments)
    }

    func run(_ arguments: [String]) async throws {
        let output = try await Programs.run("/usr/sbin/" + arguments[0], Array(arguments.dropFirst()))
        guard output.exitCode == 0 else {
            throw TestFailure("\(arguments.joined(separator: " ")) failed: \(output.stderr)")
        }
    }

    /// `ip -n NS ...` for each line of a script (words split on spaces).
    func ip(_ namespace: String, _ script: String) async throws {
        for line in script.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            try await run(["ip", "-n", namespace] + line.split(separator: " ").map(String.init))
        }
    }

    func sysctl(_ namespace: String, _ setting: String) async throws {
        try await run("ip", "netns", "exec", namespace, "sysctl", "-qw", setting)
    }

    func remove() async {
        for name in created.withLock({ $0 }).reversed() {
            _ = try? await Programs.run("/usr/sbin/ip", ["netns", "del", name])
        }
        created.withLock { $0 = [] }
    }

    /// Runs `body` on a new thread that has joined the namespace (network namespaces are per thread,
    /// so sockets made there belong to it); the rest of the test process is unaffected.
    static func inNamespace<T: Sendable>(_ name: String, _ body: @escaping @Sendable () -> T) async throws -> T {
        let result: Result<T, TestFailure> = await withCheckedContinuation { continuation in
            let thread = Thread {
                let fd = open("/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { return continuation.resume(returning: .failure(TestFailure("open /run/netns/\(name) failed"))) }
                defer { close(fd) }
                guard joinNetworkNamespace(fd) == 0 else {
                    return continuation.resume(returning: .failure(TestFailure("setns \(name): \(String(cString: strerror(errno)))")))
                }
                continuation.resume(returning: .success(body()))
            }
            thread.start()
        }
        return try result.get()
    }
}

/// setns(2) is not exported by the Glibc module: look it up in libc.
private func joinNetworkNamespace(_ fd: Int32) -> Int32 {
    typealias SetNS = @convention(c) (Int32, Int32) -> Int32
    guard let process = dlopen(nil, RTLD_NOW), let symbol = dlsym(process, "setns") else { return -1 }
    return unsafeBitCast(symbol, to: SetNS.self)(fd, 0x4000_0000 /* CLONE_NEWNET */)
}
