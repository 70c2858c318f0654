import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// `websocket`: an RFC 6455 upgrade request (section 4.1); open on `101 Switching Protocols`
/// whose Sec-WebSocket-Accept matches our key. Any other HTTP answer is `other`, with its status
/// line: a router's web page, a reverse proxy's error.
enum WebSocketUpgradeCheck {
    static func run(_ target: ProbeTarget) async -> PortFinding {
        let start = ContinuousClock.now
        let deadline = NIODeadline.now() + target.timeoutAmount
        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(target.timeoutAmount)
                .connect(to: try target.socketAddress()) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            return ConnectFailure.outcome(of: error, transport: .tcp, target: target, startedAt: start)
        }
        let closer = channel.channel.eventLoop.scheduleTask(deadline: deadline) { channel.channel.close(promise: nil) }
        defer { closer.cancel() }
        // Only its key and its check of the server's Accept value are used, not its pipeline change.
        let upgrader = NIOWebSocketClientUpgrader { channel, _ in channel.eventLoop.makeSucceededVoidFuture() }
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")
        head.headers.add(name: "Host", value: hostHeader(target))
        head.headers.add(name: "Upgrade", value: "websocket")
        head.headers.add(name: "Connection", value: "Upgrade")
        upgrader.addCustom(upgradeRequestHeaders: &head.headers)
        do {
            return try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(.head(head))
                try await outbound.write(.end(nil))
                for try await part in inbound {
                    guard case .head(let response) = part else { continue }
                    let status = "HTTP \(response.status.code) \(response.status.reasonPhrase)"
                    guard response.status == .switchingProtocols else {
                        return PortFinding(.other, start.millisecondsElapsed, "answered \(status), not a WebSocket upgrade")
                    }
                    guard upgrader.shouldAllowUpgrade(upgradeResponse: response) else {
                        return PortFinding(.other, start.millisecondsElapsed, "answered \(status) with a wrong Sec-WebSocket-Accept")
                    }
                    return PortFinding(.open, start.millisecondsElapsed, "the WebSocket upgrade was accepted")
                }
                if NIODeadline.now() >= deadline {
                    return PortFinding(.other, nil, "accepted the connection but sent no HTTP answer within \(target.timeoutText)")
                }
                return PortFinding(.other, start.millisecondsElapsed, "accepted the connection and closed it without an HTTP answer")
            }
        } catch is HTTPParserError {
            return PortFinding(.other, start.millisecondsElapsed, "answered with something that is not HTTP")
        } catch {
            return PortFinding(.other, start.millisecondsElapsed, "accepted the connection, then failed: \(error)")
        }
    }

    private static func hostHeader(_ target: ProbeTarget) -> String {
        let text = target.address.description
        return target.address.family == .ipv6 ? "[\(text)]:\(target.port)" : "\(text):\(target.port)"
    }
}
