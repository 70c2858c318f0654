/// Bounds checked on TOML text before TOMLKit sees it.
///
/// With TOMLKit 0.6.0, a header such as `[a.a.a…]` with 300 000 dotted components killed
/// `homeport config check` (and a daemon reloading on SIGHUP) with a signal instead of an
/// error: each component is one more nested table. toml++ bounds the nesting of arrays and
/// inline tables (`TOML_MAX_NESTED_VALUES`, 256) but not dotted keys. No configuration or
/// provider file needs anything close to these limits, so refusing early costs nothing and
/// turns a crash into a sentence with a line number. Both the config file and the DDNS
/// provider files pass through here.
public enum TOMLInputLimits {
    /// Components of one dotted key or table header (`a.b.c` has 3).
    public static let maxKeyComponents = 32
    /// Arrays and inline tables open at the same time.
    public static let maxNesting = 32
    /// Bytes on one line.
    public static let maxLineBytes = 64 * 1024
    /// Bytes in the whole file.
    public static let maxFileBytes = 4 * 1024 * 1024

    public struct Violation: Error, Equatable, Sendable {
        /// 1-based; nil when the whole file is the problem.
        public let line: Int?
        public let message: String
    }

    private enum Container { case header, array, inlineTable }
    private enum Quote { case none, basic, literal, multilineBasic, multilineLiteral }

    /// The first limit `text` breaks, or nil when it is within all of them. The scan follows
    /// TOML's lexical rules (strings, escapes, comments, multi-line strings) closely enough
    /// that quoted dots and brackets are not counted.
    public static func check(_ text: String) -> Violation? {
        let bytes = Array(text.utf8)
        if bytes.count > maxFileBytes {
            return Violation(line: nil, message: "the file is \(bytes.count) bytes; at most \(maxFileBytes) bytes are accepted")
        }
        var line = 1
        var lineStart = 0
        var quote = Quote.none
        var inComment = false
        var stack: [Container] = []
        var keyContext = true
        var components = 1
        var onlySpaceSoFar = true
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                if index - lineStart > maxLineBytes {
                    return Violation(line: line, message: "the line is \(index - lineStart) bytes long; at most \(maxLineBytes) bytes per line are accepted")
                }
                line += 1
                lineStart = index + 1
                inComment = false
                onlySpaceSoFar = true
                if quote == .basic || quote == .literal { quote = .none }
                if quote == .none, stack.isEmpty || stack.last == .header {
                    stack.removeAll()
                    keyContext = true
                    components = 1
                }
                index += 1
                continue
            }
            if inComment { index += 1; continue }
            switch quote {
            case .basic, .multilineBasic:
                // Skip the escaped character, but let a line-ending backslash's newline be counted.
                if byte == UInt8(ascii: "\\") { index += index + 1 < bytes.count && bytes[index + 1] != UInt8(ascii: "\n") ? 2 : 1; continue }
                if byte == UInt8(ascii: "\"") {
                    if quote == .basic { quote = .none } else if starts(bytes, index, "\"\"\"") { quote = .none; index += 3; continue }
                }
                index += 1
                continue
            case .literal, .multilineLiteral:
                if byte == UInt8(ascii: "'") {
                    if quote == .literal { quote = .none } else if starts(bytes, index, "'''") { quote = .none; index += 3; continue }
                }
                index += 1
                continue
            case .none:
                break
            }
            let wasLineStart = onlySpaceSoFar
            if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") && byte != UInt8(ascii: "\r") { onlySpaceSoFar = false }
            switch byte {
            case UInt8(ascii: "#"):
                inComment = true
            case UInt8(ascii: "\""):
                if starts(bytes, index, "\"\"\"") { quote = .multilineBasic; index += 3; continue }
                quote = .basic
            case UInt8(ascii: "'"):
                if starts(bytes, index, "'''") { quote = .multilineLiteral; index += 3; continue }
                quote = .literal
            case UInt8(ascii: "["):
                if wasLineStart, stack.isEmpty, keyContext {
                    stack.append(.header)
                    if starts(bytes, index, "[[") { index += 1 }
                    components = 1
                } else {
                    stack.append(.array)
                    keyContext = false
                    if stack.count > maxNesting {
                        return Violation(line: line, message: "arrays and inline tables are nested more than \(maxNesting) deep; at most \(maxNesting) levels are accepted")
                    }
                }
            case UInt8(ascii: "{"):
                stack.append(.inlineTable)
                keyContext = true
                components = 1
                if stack.count > maxNesting {
                    return Violation(line: line, message: "arrays and inline tables are nested more than \(maxNesting) deep; at most \(maxNesting) levels are accepted")
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if stack.last != .header, !stack.isEmpty { stack.removeLast() }
                keyContext = false
            case UInt8(ascii: "="):
                keyContext = false
            case UInt8(ascii: ","):
                if stack.last == .inlineTable { keyContext = true; components = 1 }
            case UInt8(ascii: "."):
                if keyContext {
                    components += 1
                    if components > maxKeyComponents {
                        return Violation(line: line, message: "a key or table header has more than \(maxKeyComponents) dotted parts; at most \(maxKeyComponents) are accepted")
                    }
                }
            default:
                break
            }
            index += 1
        }
        if bytes.count - lineStart > maxLineBytes {
            return Violation(line: line, message: "the line is \(bytes.count - lineStart) bytes long; at most \(maxLineBytes) bytes per line are accepted")
        }
        return nil
    }

    private static func starts(_ bytes: [UInt8], _ index: Int, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return prefix.withUTF8Buffer { buffer in
            for offset in 0..<count where bytes[index + offset] != buffer[offset] { return false }
            return true
        }
    }
}
