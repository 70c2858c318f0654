import Foundation
import NIOCore
import RustDeskWire

/// The datagrams the load generator sends, encoded once with the real schema (RustDeskWire)
/// before any timing starts, and the few answers it expects, matched as bytes in the hot path.
enum Wire {
    /// Peer number `index` → a 10-digit id, as RustDesk clients pick them (1 000 000 000 …).
    static func id(_ index: Int) -> String {
        String(1_000_000_000 + index)
    }

    /// RegisterPk{id, uuid = 16 bytes, pk = 32 bytes}, both derived from the index (the server
    /// treats them as opaque bytes).
    static func registerPk(_ index: Int) -> ByteBuffer {
        var seed = UInt64(index) &* 0x9E37_79B9_7F4A_7C15 | 1
        func bytes(_ count: Int) -> Data {
            var data = Data(capacity: count)
            for _ in 0..<count {
                seed ^= seed << 13
                seed ^= seed >> 7
                seed ^= seed << 17
                data.append(UInt8(truncatingIfNeeded: seed))
            }
            return data
        }
        var request = Hbb_RegisterPk()
        request.id = id(index)
        request.uuid = bytes(16)
        request.pk = bytes(32)
        return ByteBuffer(bytes: RendezvousCoding.encode(.with { $0.registerPk = request }))
    }

    /// RegisterPeer{id, serial = 3}, what a confirmed client sends every 15 s.
    static func registerPeer(_ index: Int) -> ByteBuffer {
        registerPeer(id: id(index))
    }

    static func registerPeer(id: String) -> ByteBuffer {
        var request = Hbb_RegisterPeer()
        request.id = id
        request.serial = 3
        return ByteBuffer(bytes: RendezvousCoding.encode(.with { $0.registerPeer = request }))
    }

    enum Answer: Equatable {
        /// RegisterPeerResponse{request_pk}: `3a 00` (false) or `3a 02 10 01` (true).
        case registerPeer(requestPk: Bool)
        /// RegisterPkResponse{result}: `82 01 00` is OK (0).
        case registerPk(result: Int)
        case other
    }

    static func classify(_ buffer: ByteBuffer) -> Answer {
        let view = buffer.readableBytesView
        let count = view.count
        var index = view.startIndex
        func next() -> UInt8 {
            defer { index += 1 }
            return view[index]
        }
        if count == 2, next() == 0x3A, next() == 0x00 { return .registerPeer(requestPk: false) }
        index = view.startIndex
        if count == 4, next() == 0x3A, next() == 0x02, next() == 0x10, next() == 0x01 { return .registerPeer(requestPk: true) }
        index = view.startIndex
        if count == 3, next() == 0x82, next() == 0x01, next() == 0x00 { return .registerPk(result: 0) }
        // Anything else, including a RegisterPkResponse with a non-OK result, goes through the
        // real decoder (rare; not on the hot path).
        guard let message = RendezvousCoding.decode(view) else { return .other }
        switch message.union {
        case .registerPeerResponse(let response): return .registerPeer(requestPk: response.requestPk)
        case .registerPkResponse(let response): return .registerPk(result: response.result.rawValue)
        default: return .other
        }
    }
}
