import Foundation
import NIOCore
import NIOPosix
@testable import PortMapping

/// A loopback stand-in for a misbehaving router, for the hostile cases a real miniupnpd never
/// produces (oversized bodies, forged sources, garbage). Real-router behaviour is tested against
/// miniupnpd in the network lab.
///
/// HTTP side: reads one request (head plus Content-Length body) and writes whatever raw bytes
/// `respond` returns, then closes.
final class ScriptedHTTPServer: Sendable {
    let channel: Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    struct Request: Sendable {
        var head: String
        var body: String
    }

    init(host: String, respond: @escaping @Sendable (Request) -> [UInt8]?) async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(RequestReader(respond: respond))
                }
            }
            .bind(host: host, port: 0).get()
    }

    func close() async { try? await channel.close() }

    private final class RequestReader: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let respond: @Sendable (Request) -> [UInt8]?
        var received: [UInt8] = []
        var answered = false

        init(respond: @escaping @Sendable (Request) -> [UInt8]?) { self.respond = respond }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received.append(contentsOf: unwrapInboundIn(data).readableBytesView)
            guard !answered, let end = received.firstRange(of: [13, 10, 13, 10]) else { return }
            let head = String(decoding: received[..<end.lowerBound], as: UTF8.self)
            let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            guard received.count - end.upperBound >= length else { return }
            answered = true
            let body = String(decoding: received[end.upperBound..<(end.upperBound + length)], as: UTF8.self)
            guard let reply = respond(Request(head: head, body: body)) else { return }  // nil: stay silent
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: reply))).whenComplete { _ in
                bound.value.close(promise: nil)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
    }

    static func response(status: String = "200 OK", body: String, extraHeaders: String = "") -> [UInt8] {
        Array("HTTP/1.1 \(status)\r\nContent-Type: text/xml\r\nContent-Length: \(body.utf8.count)\r\n\(extraHeaders)Connection: close\r\n\r\n\(body)".utf8)
    }
}

/// UDP side: answers each datagram on `host` with the datagrams `respond` returns, each sent from
/// the given socket (the real one, or one on another address to forge a foreign source).
final class ScriptedUDPResponder: Sendable {
    let socket: UDPSocket
    let other: UDPSocket
    let task: Task<Void, Never>
    var port: Int { socket.localAddress?.port ?? 0 }
    var otherPort: Int { other.localAddress?.port ?? 0 }

    enum From: Sendable {
        case gateway
        case otherHost
    }

    init(host: String, otherHost: String, port: Int = 0, respond: @escaping @Sendable ([UInt8]) -> [(From, [UInt8])]) async throws {
        let socket = try await UDPSocket.bind(host: host, port: port)
        let other = try await UDPSocket.bind(host: otherHost, port: port == 0 ? 0 : port)
        self.socket = socket
        self.other = other
        task = Task {
            for await envelope in socket.datagrams {
                for (from, reply) in respond(Array(envelope.data.readableBytesView)) {
                    try? await (from == .gateway ? socket : other).send(reply, to: envelope.remoteAddress)
                }
            }
        }
    }

    func close() async {
        await socket.close()
        await other.close()
        task.cancel()
    }
}
