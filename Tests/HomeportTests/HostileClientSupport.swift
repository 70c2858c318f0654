import Foundation
import NIOCore
import Testing

/// Raw bytes of what hostile clients send to the WebSocket and TCP listeners (issue 10): an
/// upgrade request, unfinished fragmented messages, and one byte at a time.
enum HostileBytes {
    static func upgradeRequest(path: String = "/ws/relay") -> [UInt8] {
        Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".utf8)
    }

    /// A masked client frame (RFC 6455 §5.2) with a zero mask key, so the payload is sent as is;
    /// `fin` false leaves the message unfinished. `count` must be under 65 536.
    static func frame(opcode: UInt8, fin: Bool, count: Int) -> [UInt8] {
        frame(opcode: opcode, fin: fin, payload: [UInt8](repeating: 0x41, count: count))
    }

    static func frame(opcode: UInt8, fin: Bool, payload: [UInt8]) -> [UInt8] {
        let count = payload.count
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        if count < 126 {
            bytes.append(0x80 | UInt8(count))
        } else {
            bytes += [0x80 | 126, UInt8(count >> 8), UInt8(count & 0xFF)]
        }
        return bytes + [0, 0, 0, 0] + payload
    }

    /// One unfinished binary message of about `total` bytes: a first fragment and continuations.
    static func unfinishedMessage(total: Int, fragment: Int = 60_000) -> [UInt8] {
        frame(opcode: 0x2, fin: false, count: fragment) + continuations(total: total - fragment, fragment: fragment)
    }

    /// More non-final continuation fragments of a message already begun.
    static func continuations(total: Int, fragment: Int = 60_000) -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < total { bytes += frame(opcode: 0x0, fin: false, count: fragment) }
        return bytes
    }
}

/// Sends `bytes` one at a time, `every` apart, until the connection closes or `limit` passes:
/// always active, so only a deadline (not an idle timeout) can end it.
func trickle(_ client: RelayTestClient, _ bytes: [UInt8], every: Duration = .milliseconds(500), for limit: Duration = .seconds(15)) -> Task<Void, Never> {
    Task {
        let end = ContinuousClock.now + limit
        var index = 0
        while ContinuousClock.now < end, !client.isClosed {
            try? await client.send([bytes[index % bytes.count]])
            index += 1
            try? await Task.sleep(for: every)
        }
    }
}
