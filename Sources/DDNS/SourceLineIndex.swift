import Config
/// Remembers on which line each key and table header of a provider or test-case file stands,
/// because TOMLKit does not report source positions of parsed values.
///
/// Sections are named by path with array positions: "" (root), "settings.token", "step#0",
/// "step#1.rule#2", "case#0.exchange#1". Keys inside inline tables are found under their
/// outer key, which is precise enough to point the user at the right line.
struct SourceLineIndex: Sendable {
    private var keyLines: [String: [String: Int]] = [:]
    private var headerLines: [String: Int] = [:]

    init(text: String) {
        var section = ""
        var arrayCounts: [String: Int] = [:]
        var currentElement: [String: String] = [:]
        var multilineDelimiter: String?
        var bracketDepth = 0
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            let line = raw.drop { $0 == " " || $0 == "\t" }
            if let delimiter = multilineDelimiter {
                if line.contains(delimiter) { multilineDelimiter = nil }
                continue
            }
            if bracketDepth > 0 {
                bracketDepth += TOMLLineScan.bracketBalance(line)
                continue
            }
            if line.hasPrefix("[") {
                let isArray = line.hasPrefix("[[")
                let inner = line.dropFirst(isArray ? 2 : 1).prefix { $0 != "]" }
                let parts = inner.split(separator: ".").map { String($0).filter { $0 != "\"" && $0 != "'" && $0 != " " } }
                // Resolve parent components to the element of their array that is open now.
                var path: [String] = []
                for (position, part) in parts.enumerated() {
                    let plain = (path + [part]).joined(separator: ".")
                    if position == parts.count - 1, isArray {
                        let index = arrayCounts[plain, default: 0]
                        arrayCounts[plain] = index + 1
                        let element = "\(part)#\(index)"
                        currentElement[plain] = (path + [element]).joined(separator: ".")
                        path.append(element)
                    } else if let open = currentElement[plain] {
                        path = open.split(separator: ".").map(String.init)
                    } else {
                        path.append(part)
                    }
                }
                section = path.joined(separator: ".")
                if headerLines[section] == nil { headerLines[section] = number }
                continue
            }
            guard !line.hasPrefix("#"), let equals = TOMLLineScan.firstUnquoted("=", in: line) else { continue }
            let keyText = line[line.startIndex..<equals].trimmingSpaces()
            let key: String
            if let quote = keyText.first, quote == "\"" || quote == "'" {
                key = String(keyText.dropFirst().prefix { $0 != quote })
            } else {
                key = String(keyText.prefix { $0 != "." }).trimmingSpaces()
            }
            if !key.isEmpty, keyLines[section]?[key] == nil { keyLines[section, default: [:]][key] = number }
            let value = line[line.index(after: equals)...].drop { $0 == " " || $0 == "\t" }
            for delimiter in ["\"\"\"", "'''"] where value.hasPrefix(delimiter) {
                if !value.dropFirst(3).contains(delimiter) { multilineDelimiter = delimiter }
            }
            if multilineDelimiter == nil { bracketDepth = max(0, TOMLLineScan.bracketBalance(value)) }
        }
    }

    /// The line of `key` in `section`, else the section's header line, else nil.
    func line(of key: String?, in section: String) -> Int? {
        if let key, let line = keyLines[section]?[key] { return line }
        if let line = headerLines[section] { return line }
        // An inherited or implicit section: fall back to its parent.
        if let dot = section.lastIndex(of: ".") { return line(of: nil, in: String(section[..<dot])) }
        // A missing top-level field: point at the top of the file, where it belongs.
        return section.isEmpty ? 1 : nil
    }
}
