import CZlib

/// The PNG container (RFC 2083): signature, IHDR, one IDAT with the zlib-compressed
/// scanlines, IEND; each chunk with zlib's CRC-32 of its type and data.
enum PNGFile {
    /// `scanlines` holds each row's filter byte followed by its `width` grey samples.
    static func greyscale(width: Int, height: Int, scanlines: [UInt8]) throws(QRCodeError) -> [UInt8] {
        // RFC 2083 section 3.1.
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        // Section 4.1.1: width, height, bit depth 8, colour type 0 (greyscale), compression
        // method 0, filter method 0, no interlace.
        let header = bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 0, 0, 0, 0]
        file += chunk("IHDR", header)
        file += chunk("IDAT", try deflate(scanlines))
        file += chunk("IEND", [])
        return file
    }

    /// The zlib stream (RFC 1950) section 4.1.3 asks for.
    static func deflate(_ bytes: [UInt8]) throws(QRCodeError) -> [UInt8] {
        var length = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(length))
        let status = compress2(&output, &length, bytes, uLong(bytes.count), Z_BEST_COMPRESSION)
        guard status == Z_OK else { throw .compressionFailed(Int(status)) }
        return Array(output.prefix(Int(length)))
    }

    /// Length, type, data, CRC-32 over type and data (section 3.2).
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        let crc = typed.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        return bigEndian(UInt32(data.count)) + typed + bigEndian(UInt32(crc))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
