import CQRencode

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A QR code symbol (ISO/IEC 18004) made by libqrencode: a square of dark and light modules,
/// without the quiet zone around it.
public struct QRCode: Sendable, Equatable {
    /// Modules per side (21 for version 1, 4 more per version).
    public let size: Int
    public let version: Int
    private let dark: [Bool]

    /// Encodes `text` as UTF-8 in byte mode, in the smallest version that holds it, with error
    /// correction level M (about 15 % of the symbol may be lost), which a phone reads off a
    /// screen reliably without the symbol growing as much as Q or H would make it.
    public init(encoding text: String) throws(QRCodeError) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw .empty }
        errno = 0
        guard let symbol = QRcode_encodeData(Int32(bytes.count), bytes, 0, QR_ECLEVEL_M) else {
            throw errno == ERANGE ? .tooLong(bytes: bytes.count) : .encoderFailed(String(cString: strerror(errno)))
        }
        defer { QRcode_free(symbol) }
        let width = Int(symbol.pointee.width)
        // Bit 0 of each module byte is the colour (1 = dark); the others describe its role.
        let modules = UnsafeBufferPointer(start: symbol.pointee.data, count: width * width)
        size = width
        version = Int(symbol.pointee.version)
        dark = modules.map { $0 & 1 == 1 }
    }

    /// Whether the module is dark; anything outside the symbol is the light quiet zone.
    public func isDark(row: Int, column: Int) -> Bool {
        guard (0..<size).contains(row), (0..<size).contains(column) else { return false }
        return dark[row * size + column]
    }

    /// The light margin a reader needs around the symbol, in modules: 4, the default margin of
    /// libqrencode's own `qrencode` tool for QR codes (`qrenc.c`, `--margin`).
    public static let quietZone = 4
}

/// Why a QR code could not be made.
public enum QRCodeError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    /// More than a version 40 symbol holds at level M (2331 bytes).
    case tooLong(bytes: Int)
    case encoderFailed(String)
    /// zlib's status when compressing the PNG image.
    case compressionFailed(Int)

    public var description: String {
        switch self {
        case .empty: "there is nothing to put in the QR code"
        case .tooLong(let bytes): "\(bytes) bytes do not fit in a QR code (at most 2331 at error correction level M)"
        case .encoderFailed(let reason): "libqrencode could not make the QR code: \(reason)"
        case .compressionFailed(let status): "zlib could not compress the PNG image (status \(status))"
        }
    }
}
