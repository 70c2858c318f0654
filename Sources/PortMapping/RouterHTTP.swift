import Foundation
import InternetAddress
import NIOCore
import NIOHTTP1
import NIOPosix

/// A router's HTTP answer, fully read.
struct RouterHTTPResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// An http:// URL on the gateway. Anything else (https, another host, a name) is refused so a
/// hostile description cannot send us elsewhere.
public struct RouterURL: Sendable, Hashable, CustomStringConvertible {
    public var host: IPAddress
    public var port: Int
    /// Path and query, starting with "/".
    public var target: String

    public var description: String { "http://\(host):\(port)\(target)" }

    /// Parses `text`, resolving it against `base` when relative, and requires the host to be `gateway`.
    public init(_ text: String, relativeTo base: RouterURL? = nil, gateway: IPAddress) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let baseURL = base.flatMap { URL(string: $0.description) }
        guard !trimmed.isEmpty, let url = URL(string: trimmed, relativeTo: baseURL)?.absoluteURL else {
            throw PortMappingError.malformedResponse(.upnp, "URL \"\(trimmed.prefix(200))\" cannot be parsed")
        }
        guard url.scheme?.lowercased() == "http" else {
            throw PortMappingError.malformedResponse(.upnp, "URL \(url.absoluteString.prefix(200)) is not http://")
        }
        guard let hostText = url.host, let host = IPAddress(hostText, family: .ipv4) else {
            throw PortMappingError.malformedResponse(.upnp, "URL \(url.absoluteString.prefix(200)) does not name an IPv4 address")
        }
        guard host == gateway else {
            throw PortMappingError.malformedResponse(.upnp, "URL \(url.absoluteString.prefix(200)) points at \(host), not the gateway \(gateway)")
        }
        let port = url.port ?? 80
        guard (1...65535).contains(port) else {
            throw PortMappingError.malformedResponse(.upnp, "URL port \(port) is out of range")
        }
        self.host = host
        self.port = port
        var path = url.path(percentEncoded: true)
        if path.isEmpty { path = "/" }
        if let query = url.query(percentEncoded: true) { path += "?" + query }
        target = path
    }
}

enum RouterHTTP {
    /// Root descriptions from real routers are a few KiB; 128 KiB is generous.
    static let defaultBodyLimit = 128 * 1024

    static func request(
        method: HTTPMethod,
        url: RouterURL,
        headers extra: [(String, String)] = [],
        body: [UInt8] = [],
        maxBodyBytes: Int = defaultBodyLimit,
        timeout: Duration = .seconds(3),
        group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> RouterHTTPResponse {
        let loop = group.next()
        let promise = loop.makePromise(of: RouterHTTPResponse.self)
        let limit = TimeAmount(timeout)
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(limit)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise, limit: maxBodyBytes, url: url))
                    }
                }
                .connect(host: url.host.description, port: url.port).get()
        } catch {
            let failure = PortMappingError.http("cannot connect to \(url.host):\(url.port): \(error)")
            promise.fail(failure)
            throw failure
        }
        let deadline = channel.eventLoop.scheduleTask(in: limit) {
            channel.pipeline.fireErrorCaught(PortMappingError.http("no complete answer from \(url) within \(timeout)"))
        }
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: url.target)
        head.headers.add(name: "Host", value: url.port == 80 ? "\(url.host)" : "\(url.host):\(url.port)")
        head.headers.add(name: "Connection", value: "close")
        head.headers.add(name: "User-Agent", value: "homeport UPnP/1.1")
        if method == .POST || !body.isEmpty {
            head.headers.add(name: "Content-Length", value: String(body.count))
        }
        for (name, value) in extra { head.headers.add(name: name, value: value) }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if !body.isEmpty {
            channel.write(HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(bytes: body))), promise: nil)
        }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        defer {
            deadline.cancel()
            channel.close(promise: nil)
        }
        return try await promise.futureResult.get()
    }
}

/// Collects one response, refusing a body over `limit` bytes as soon as it is announced or read.
private final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<RouterHTTPResponse>
    private let limit: Int
    private let url: RouterURL
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private var done = false

    init(promise: EventLoopPromise<RouterHTTPResponse>, limit: Int, url: RouterURL) {
        self.promise = promise
        self.limit = limit
        self.url = url
    }

    private func finish(_ result: Result<RouterHTTPResponse, Error>, context: ChannelHandlerContext) {
        guard !done else { return }
        done = true
        promise.completeWith(result)
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        switch unwrapInboundIn(data) {
        case .head(let responseHead):
            head = responseHead
            if let length = responseHead.headers.first(name: "Content-Length").flatMap(Int.init), length > limit {
                finish(.failure(PortMappingError.http("answer from \(url) announces \(length) bytes, over the \(limit)-byte limit")), context: context)
            }
        case .body(let buffer):
            if body.count + buffer.readableBytes > limit {
                finish(.failure(PortMappingError.http("answer from \(url) is over the \(limit)-byte limit")), context: context)
                return
            }
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head else {
                finish(.failure(PortMappingError.http("answer from \(url) ended without a status line")), context: context)
                return
            }
            let headers = head.headers.map { ($0.name, $0.value) }
            finish(.success(RouterHTTPResponse(status: Int(head.status.code), headers: headers, body: body)), context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let error = error as? PortMappingError {
            finish(.failure(error), context: context)
        } else {
            finish(.failure(PortMappingError.http("bad HTTP answer from \(url): \(error)")), context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(PortMappingError.http("\(url) closed the connection before the answer ended")), context: context)
        context.fireChannelInactive()
    }
}
