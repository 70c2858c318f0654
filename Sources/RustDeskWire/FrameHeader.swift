/// The 1–4 byte little-endian length prefix in front of every message on a RustDesk TCP stream
/// (docs/rustdesk-protocol.md#tcp-frames). The low two bits of the first byte say how many header bytes follow; the rest of
/// the header value is the payload length.
public enum FrameHeader {
    /// The largest payload a 4-byte header can announce (2^30 − 1).
    public static let maximumLength = 0x3FFF_FFFF

    /// The shortest header for a payload of `length` bytes, or nil when no header can carry it.
    public static func encode(length: Int) -> [UInt8]? {
        guard length >= 0, length <= maximumLength else { return nil }
        let value = UInt32(length) << 2
        switch length {
        case 0...0x3F:
            return [UInt8(truncatingIfNeeded: value)]
        case 0x40...0x3FFF:
            return littleEndianBytes(value | 1, count: 2)
        case 0x4000...0x3F_FFFF:
            return littleEndianBytes(value | 2, count: 3)
        default:
            return littleEndianBytes(value | 3, count: 4)
        }
    }

    /// Header followed by `payload`, or nil when the payload is too large to frame.
    public static func frame(_ payload: [UInt8]) -> [UInt8]? {
        guard let header = encode(length: payload.count) else { return nil }
        return header + payload
    }

    /// How many header bytes a frame starting with `firstByte` has (1–4).
    static func headerLength(firstByte: UInt8) -> Int {
        Int(firstByte & 0x03) + 1
    }

    private static func littleEndianBytes(_ value: UInt32, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
