/// The filter table as `iptables-save -t filter` prints it: chain policies (`:INPUT DROP
/// [0:0]`) and rules (`-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT`), the arguments split as
/// a shell would (comments are quoted).
struct IPTablesFilter {
    var policies: [String: String] = [:]
    var rules: [String: [[String]]] = [:]
    /// Rule lines that could not be split (an unclosed quote); they are ignored.
    var malformedLines = 0

    init(save: String) {
        var inFilter = false
        for raw in save.split(separator: "\n") {
            let line = raw.trimmingPrefix(while: { $0 == " " })
            if line.hasPrefix("*") { inFilter = line == "*filter"; continue }
            guard inFilter else { continue }
            if line.hasPrefix(":") {
                let words = line.dropFirst().split(separator: " ")
                if words.count >= 2 { policies[String(words[0])] = String(words[1]) }
            } else if line.hasPrefix("-A ") {
                guard let words = Self.words(line), words.count >= 2 else { malformedLines += 1; continue }
                rules[words[1], default: []].append(Array(words.dropFirst(2)))
            }
        }
    }

    /// Splits on spaces, keeping double-quoted text (with \" inside) together.
    static func words(_ line: Substring) -> [String]? {
        var words: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        var inWord = false
        for character in line {
            if escaped { current.append(character); escaped = false; continue }
            if character == "\\" && quoted { escaped = true; continue }
            if character == "\"" { quoted.toggle(); inWord = true; continue }
            if character == " " && !quoted {
                if inWord { words.append(current); current = ""; inWord = false }
                continue
            }
            current.append(character)
            inWord = true
        }
        if quoted { return nil }
        if inWord { words.append(current) }
        return words
    }
}
