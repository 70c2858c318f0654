/// Remembers on which line each key and table header of a TOML file stands.
///
/// TOMLKit does not expose source positions for parsed values, and an error that says only
/// "unknown key" makes the user search the file. This light scan follows headers (`[x]`,
/// `[[x]]` counted per name), skips multi-line strings and arrays, and records the first
/// component of every `key = value` line, which is all the error messages need.
struct KeyLineIndex {
    private var keyLines: [String: [String: Int]] = [:]
    private var headerLines: [String: Int] = [:]

    /// Section ids: "" for the root table, "daemon" for `[daemon]`, "service#0" for the first
    /// `[[service]]`.
    static func arraySection(_ name: String, _ index: Int) -> String { "\(name)#\(index)" }

    init(text: String) {
        var section = ""
        var arrayCounts: [String: Int] = [:]
        var multilineDelimiter: String?
        var bracketDepth = 0
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            let line = rawLine.drop { $0 == " " || $0 == "\t" }
            if let delimiter = multilineDelimiter {
                if line.contains(delimiter) { multilineDelimiter = nil }
                continue
            }
            if bracketDepth > 0 {
                bracketDepth += TOMLLineScan.bracketBalance(line)
                continue
            }
            if line.hasPrefix("[[") {
                let name = Self.headerName(line.dropFirst(2), closing: "]]")
                let index = arrayCounts[name, default: 0]
                arrayCounts[name] = index + 1
                section = Self.arraySection(name, index)
                headerLines[section] = lineNumber
                recordRootKey(name, lineNumber)
                continue
            }
            if line.hasPrefix("[") {
                section = Self.headerName(line.dropFirst(), closing: "]")
                headerLines[section] = lineNumber
                recordRootKey(section, lineNumber)
                continue
            }
            guard !line.hasPrefix("#"), let equals = TOMLLineScan.firstUnquoted("=", in: line) else { continue }
            let key = Self.firstKeyComponent(line[line.startIndex..<equals])
            if !key.isEmpty, keyLines[section]?[key] == nil {
                keyLines[section, default: [:]][key] = lineNumber
            }
            let value = line[line.index(after: equals)...].drop { $0 == " " || $0 == "\t" }
            for delimiter in ["\"\"\"", "'''"] where value.hasPrefix(delimiter) {
                if !value.dropFirst(3).contains(delimiter) { multilineDelimiter = delimiter }
            }
            if multilineDelimiter == nil {
                bracketDepth = max(0, TOMLLineScan.bracketBalance(value))
            }
        }
    }

    /// A header names a key of the root table (its first dotted component).
    private mutating func recordRootKey(_ header: String, _ lineNumber: Int) {
        let key = String(header.prefix { $0 != "." })
        if keyLines[""]?[key] == nil { keyLines["", default: [:]][key] = lineNumber }
    }

    func line(ofKey key: String, in section: String) -> Int? {
        keyLines[section]?[key]
    }

    func line(ofSection section: String) -> Int? {
        headerLines[section]
    }

    private static func headerName(_ rest: Substring, closing: String) -> String {
        let body = rest.split(separator: Character(String(closing.first!)), maxSplits: 1).first ?? ""
        return body.trimmingSpaces().replacingQuotes()
    }

    private static func firstKeyComponent(_ key: Substring) -> String {
        let trimmed = key.trimmingSpaces()
        if let quote = trimmed.first, quote == "\"" || quote == "'" {
            let rest = trimmed.dropFirst()
            return String(rest.prefix { $0 != quote })
        }
        return String(trimmed.prefix { $0 != "." }).trimmingSpaces()
    }
}

extension StringProtocol {
    func replacingQuotes() -> String {
        String(self.filter { $0 != "\"" && $0 != "'" })
    }
}
