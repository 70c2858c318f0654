import NIOCore
import RustDeskWire

/// RendezvousMessages as the real schema encodes them (RustDeskWire), framed for TCP.
enum Messages {
    static func encode(_ build: (inout Hbb_RendezvousMessage) -> Void) -> [UInt8] {
        var message = Hbb_RendezvousMessage()
        build(&message)
        return RendezvousCoding.encode(message)
    }

    /// Header + payload (docs/rustdesk-protocol.md#tcp-frames); payloads here are far below the 1 GiB limit.
    static func frame(_ payload: [UInt8]) -> [UInt8] { FrameHeader.frame(payload) ?? [] }

    static func registerPeer(id: String) -> [UInt8] {
        encode { $0.registerPeer = .with { $0.id = id; $0.serial = 3 } }
    }

    static func registerPk(id: String, uuid: [UInt8], pk: [UInt8]) -> [UInt8] {
        encode { message in
            message.registerPk = .with {
                $0.id = id
                $0.uuid = .init(uuid)
                $0.pk = .init(pk)
            }
        }
    }

    static func requestRelay(uuid: String, key: String) -> [UInt8] {
        encode { message in message.requestRelay = .with { $0.uuid = uuid; $0.licenceKey = key } }
    }

    static func punchHoleRequest(id: String, key: String) -> [UInt8] {
        encode { message in
            message.punchHoleRequest = .with {
                $0.id = id
                $0.natType = .symmetric
                $0.licenceKey = key
                $0.version = "1.4.2"
            }
        }
    }

    static func relayResponse(socketAddr: [UInt8], uuid: String, relay: String, id: String) -> [UInt8] {
        encode { message in
            message.relayResponse = .with {
                $0.socketAddr = .init(socketAddr)
                $0.uuid = uuid
                $0.relayServer = relay
                $0.id = id
                $0.version = "1.4.2"
            }
        }
    }

    /// ConfigUpdate from loopback (docs/rustdesk-protocol.md#config-update): would replace the announced servers; the list names
    /// only a loopback literal so nothing could ever be resolved or contacted.
    static func configureUpdate(serial: Int32) -> [UInt8] {
        encode { message in
            message.configureUpdate = .with {
                $0.serial = serial
                $0.rendezvousServers = ["127.0.0.66:21116"]
            }
        }
    }

    static func randomID() -> String { String(Int.random(in: 1_000_000_000...1_999_999_999)) }
}

/// Hand-made WebSocket client frames (RFC 6455), so hostile ones can be as wrong as wanted.
/// Client frames are masked; the hostile ones use the all-zero mask key (valid, and it leaves
/// the payload as is, so megabytes cost no CPU here).
enum WebSocketWire {
    enum Opcode: UInt8 {
        case continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA
    }

    struct Frame {
        var fin: Bool
        var opcode: UInt8
        var payload: [UInt8]
    }

    enum Parsed {
        case frame(Frame)
        case needMore
        case invalid
    }

    static func upgradeRequest(port: Int, path: String) -> [UInt8] {
        Array(("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8)
    }

    /// The header of a masked client frame carrying `length` bytes, mask key 0.
    static func header(fin: Bool, opcode: UInt8, length: Int) -> [UInt8] {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | (opcode & 0x0F)]
        switch length {
        case 0..<126: bytes.append(0x80 | UInt8(length))
        case 126..<65_536: bytes += [0x80 | 126, UInt8(length >> 8), UInt8(length & 0xFF)]
        default:
            bytes.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: length >> shift)) }
        }
        return bytes + [0, 0, 0, 0]
    }

    /// A whole masked frame with a random mask key (the legitimate client).
    static func maskedFrame(fin: Bool = true, _ opcode: Opcode, _ payload: [UInt8]) -> [UInt8] {
        var bytes = header(fin: fin, opcode: opcode.rawValue, length: payload.count)
        let key = (0..<4).map { _ in UInt8.random(in: 0...255) }
        bytes.replaceSubrange((bytes.count - 4)..<bytes.count, with: key)
        bytes.reserveCapacity(bytes.count + payload.count)
        for (index, byte) in payload.enumerated() { bytes.append(byte ^ key[index & 3]) }
        return bytes
    }

    /// Cuts one server frame from `buffer` (server frames are not masked).
    static func parse(_ buffer: inout ByteBuffer, maximum: Int) -> Parsed {
        let view = buffer.readableBytesView
        guard view.count >= 2 else { return .needMore }
        let first = view[view.startIndex], second = view[view.startIndex + 1]
        let masked = second & 0x80 != 0
        var length = Int(second & 0x7F)
        var offset = 2
        if length == 126 {
            guard view.count >= 4 else { return .needMore }
            length = Int(view[view.startIndex + 2]) << 8 | Int(view[view.startIndex + 3])
            offset = 4
        } else if length == 127 {
            guard view.count >= 10 else { return .needMore }
            var value: UInt64 = 0
            for index in 2..<10 { value = value << 8 | UInt64(view[view.startIndex + index]) }
            guard value <= UInt64(maximum) else { return .invalid }
            length = Int(value)
            offset = 10
        }
        guard length <= maximum else { return .invalid }
        var key: [UInt8] = [0, 0, 0, 0]
        if masked {
            guard view.count >= offset + 4 else { return .needMore }
            key = Array(view[(view.startIndex + offset)..<(view.startIndex + offset + 4)])
            offset += 4
        }
        guard view.count >= offset + length else { return .needMore }
        var payload = Array(view[(view.startIndex + offset)..<(view.startIndex + offset + length)])
        if masked { for index in payload.indices { payload[index] ^= key[index & 3] } }
        buffer.moveReaderIndex(forwardBy: offset + length)
        return .frame(Frame(fin: first & 0x80 != 0, opcode: first & 0x0F, payload: payload))
    }
}
