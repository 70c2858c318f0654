/// The FINGERPRINT attribute's value: the CRC-32 of the message before it, XORed with
/// 0x5354554e (RFC 8489 section 14.7). The CRC is the one of ISO/IEC 13239 (as in Ethernet and
/// zlib): reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF.
enum STUNFingerprint {
    static let xorValue: UInt32 = 0x5354_554E

    static func value(of bytes: some Sequence<UInt8>) -> UInt32 {
        crc32(bytes) ^ xorValue
    }

    static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }

    private static let table: [UInt32] = (0..<256).map { index in
        var entry = UInt32(index)
        for _ in 0..<8 {
            entry = entry & 1 == 1 ? (entry >> 1) ^ 0xEDB8_8320 : entry >> 1
        }
        return entry
    }
}
