#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The image files `--qr FILE` writes, chosen by the file's extension.
public enum QRImageFormat: String, Sendable, CaseIterable {
    case png
    case svg

    /// nil for any other extension.
    public init?(path: String) {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        self.init(rawValue: path[path.index(after: dot)...].lowercased())
    }
}

extension QRCode {
    /// Pixels per module in the PNG: 8 makes a typical code about 400 pixels wide, easy to scan
    /// off a screen or print.
    public static let pixelsPerModule = 8

    /// The image in `format`, quiet zone included, black on white.
    public func image(_ format: QRImageFormat) throws(QRCodeError) -> [UInt8] {
        switch format {
        case .png: try pngData()
        case .svg: Array(svgText().utf8)
        }
    }

    /// Writes the image to `path` (replacing the file), in the format its extension names.
    public func write(toFile path: String) throws(QRImageError) {
        guard let format = QRImageFormat(path: path) else { throw .unknownExtension(path) }
        let bytes: [UInt8]
        do {
            bytes = try image(format)
        } catch {
            throw .encoding(path, error)
        }
        if let failure = writeFile(path, bytes) { throw .unwritable(path, failure) }
    }

    /// An 8-bit greyscale PNG (RFC 2083), `pixelsPerModule` pixels per module.
    func pngData() throws(QRCodeError) -> [UInt8] {
        let modules = size + 2 * Self.quietZone
        let side = modules * Self.pixelsPerModule
        var scanlines: [UInt8] = []
        scanlines.reserveCapacity((side + 1) * side)
        for y in 0..<side {
            let row = y / Self.pixelsPerModule - Self.quietZone
            // Filter type 0 (None) before each scanline (RFC 2083 section 6.1).
            scanlines.append(0)
            for x in 0..<side {
                scanlines.append(isDark(row: row, column: x / Self.pixelsPerModule - Self.quietZone) ? 0x00 : 0xFF)
            }
        }
        return try PNGFile.greyscale(width: side, height: side, scanlines: scanlines)
    }

    /// An SVG drawing, one unit per module: a white square and one path of black runs.
    public func svgText() -> String {
        let side = size + 2 * Self.quietZone
        var path = ""
        for row in 0..<size {
            var column = 0
            while column < size {
                guard isDark(row: row, column: column) else { column += 1; continue }
                let start = column
                while column < size, isDark(row: row, column: column) { column += 1 }
                path += "M\(start + Self.quietZone) \(row + Self.quietZone)h\(column - start)v1h-\(column - start)z"
            }
        }
        let pixels = side * Self.pixelsPerModule
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" width="\(pixels)" height="\(pixels)" shape-rendering="crispEdges">
            <rect width="\(side)" height="\(side)" fill="#ffffff"/>
            <path fill="#000000" d="\(path)"/>
            </svg>

            """
    }
}

/// Creates or truncates `path` (mode 0644 before the umask) and writes `bytes`; the errno text
/// when that fails.
private func writeFile(_ path: String, _ bytes: [UInt8]) -> String? {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { return String(cString: strerror(errno)) }
    defer { close(fd) }
    var written = 0
    while written < bytes.count {
        let count = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if count < 0, errno == EINTR { continue }
        guard count > 0 else { return String(cString: strerror(errno)) }
        written += count
    }
    return nil
}

/// Why `--qr FILE` failed.
public enum QRImageError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownExtension(String)
    case encoding(String, QRCodeError)
    case unwritable(String, String)

    public var description: String {
        switch self {
        case .unknownExtension(let path):
            "cannot tell which image to write to \(path): name a file ending in .png or .svg"
        case .encoding(let path, let error):
            "cannot write \(path): \(error)"
        case .unwritable(let path, let reason):
            "cannot write \(path): \(reason)"
        }
    }
}
