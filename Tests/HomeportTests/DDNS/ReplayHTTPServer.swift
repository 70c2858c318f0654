import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A local stand-in for a DDNS provider's API: listens on 127.0.0.1 (random port), records
/// every request and answers each with the next scripted reply (or 599 when the script is
/// exhausted, which fails any case that expected fewer requests).
final class ReplayHTTPServer: Sendable {
    struct Recorded: Sendable {
        var method: String
        var uri: String
        var headers: [(String, String)]
        var body: Data

        var path: String { String(uri.prefix { $0 != "?" }) }
        var query: [String: String] {
            guard let mark = uri.firstIndex(of: "?") else { return [:] }
            var result: [String: String] = [:]
            for pair in uri[uri.index(after: mark)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                result[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
            }
            return result
        }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }

        private func decode(_ text: Substring) -> String {
            (String(text).replacingOccurrences(of: "+", with: " ")).removingPercentEncoding ?? String(text)
        }
    }

    struct Reply: Sendable {
        var status: Int
        var headers: [(String, String)] = []
        var body: String = ""
        /// Never answer (for timeout tests).
        var hang = false
        /// Answer this late (to make two clients' requests overlap).
        var delay: TimeAmount? = nil
    }

    private struct State {
        var replies: [Reply] = []
        var requests: [Recorded] = []
    }

    private let state = Mutex(State())
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    let port: Int

    var baseURL: String { "http://127.0.0.1:\(port)" }

    init() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.group = group
        let box = StateBox()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ReplayHandler(box: box))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        box.server.withLock { $0 = self }
    }

    func script(_ replies: [Reply]) {
        state.withLock { $0.replies = replies; $0.requests = [] }
    }

    var requests: [Recorded] { state.withLock { $0.requests } }

    fileprivate func take(_ request: Recorded) -> Reply {
        state.withLock { state in
            state.requests.append(request)
            return state.replies.isEmpty ? Reply(status: 599, body: "unexpected request: the test scripted no more replies") : state.replies.removeFirst()
        }
    }

    func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

/// Lets handlers reach the server (created before the server object exists).
private final class StateBox: Sendable {
    let server = Mutex<ReplayHTTPServer?>(nil)
}

private final class ReplayHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let box: StateBox
    private var head: HTTPRequestHead?
    private var body = Data()

    init(box: StateBox) { self.box = box }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = Data()
        case .body(var buffer):
            body.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
        case .end:
            guard let head, let server = box.server.withLock({ $0 }) else { return }
            let recorded = ReplayHTTPServer.Recorded(method: head.method.rawValue, uri: head.uri,
                                                     headers: head.headers.map { ($0.name, $0.value) }, body: body)
            let reply = server.take(recorded)
            if reply.hang { return }
            if let delay = reply.delay {
                let loop = context.eventLoop.assumeIsolated()
                loop.scheduleTask(in: delay) { Self.answer(reply, context: context) }
                return
            }
            Self.answer(reply, context: context)
        }
    }

    private static func answer(_ reply: ReplayHTTPServer.Reply, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        for (name, value) in reply.headers { headers.add(name: name, value: value) }
        headers.replaceOrAdd(name: "Content-Length", value: String(reply.body.utf8.count))
        headers.replaceOrAdd(name: "Connection", value: "close")
        let responseHead = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: reply.status), headers: headers)
        context.write(NIOAny(HTTPServerResponsePart.head(responseHead)), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: reply.body.utf8.count)
        buffer.writeString(reply.body)
        context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

extension ReplayHTTPServer {
    /// A `[[ddns]]` entry that sends Duck DNS updates for `hostname` to this server, without a
    /// DNS check afterwards (the hostname does not resolve anywhere).
    func duckDNSEntry(hostname: String = "myhome.duckdns.org", token: String) -> String {
        """
        [[ddns]]
        provider = "duckdns"
        hostnames = ["\(hostname)"]
        token = "\(token)"
        server = "\(baseURL)"
        verify = "none"
        """
    }
}
