import NIOCore
import NIOHTTP1
import NIOWebSocket

/// `websocket`: an RFC 6455 upgrade request (section 4.1); open on `101 Switching Protocols`
/// whose Sec-WebSocket-Accept matches our key. Any other HTTP answer is `other`, with its status
/// line: a router's web page, a reverse proxy's error.
enum WebSocketUpgradeCheck {
    static func run(_ target: ProbeTarget) async -> PortFinding {
        let start = ContinuousClock.now
        let connection: ProbeConnection<HTTPClientResponsePart, HTTPClientRequestPart>
        let opened = await ProbeConnection<HTTPClientResponsePart, HTTPClientRequestPart>.open(target, startedAt: start) { channel in
            try channel.pipeline.syncOperations.addHTTPClientHandlers()
        }
        switch opened {
        case .connected(let open): connection = open
        case .failed(let finding): return finding
        }
        // Only its key and its check of the server's Accept value are used, not its pipeline change.
        let upgrader = NIOWebSocketClientUpgrader { channel, _ in channel.eventLoop.makeSucceededVoidFuture() }
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")
        head.headers.add(name: "Host", value: hostHeader(target))
        head.headers.add(name: "Upgrade", value: "websocket")
        head.headers.add(name: "Connection", value: "Upgrade")
        upgrader.addCustom(upgradeRequestHeaders: &head.headers)
        do {
            return try await connection.exchange { inbound, outbound in
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
                if connection.timedOut {
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
