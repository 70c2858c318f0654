/// The small lexical facts both line indexes need (config file keys, provider file fields):
/// TOMLKit gives values but no line numbers, so errors find their line by scanning the text.
public enum TOMLLineScan {
    /// The first `target` outside quotes, or nil if it is absent or only inside a comment.
    public static func firstUnquoted(_ target: Character, in line: Substring) -> Substring.Index? {
        var quote: Character?
        var escaped = false
        for index in line.indices {
            let character = line[index]
            if let open = quote {
                if escaped { escaped = false; continue }
                if character == "\\" && open == "\"" { escaped = true; continue }
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == target {
                return index
            } else if character == "#" {
                return nil
            }
        }
        return nil
    }

    /// Opening minus closing brackets and braces outside strings and comments, so an array or
    /// inline table spread over several lines is not read as keys.
    public static func bracketBalance(_ text: Substring) -> Int {
        var balance = 0
        var quote: Character?
        var escaped = false
        for character in text {
            if let open = quote {
                if escaped { escaped = false; continue }
                if character == "\\" && open == "\"" { escaped = true; continue }
                if character == open { quote = nil }
                continue
            }
            switch character {
            case "\"", "'": quote = character
            case "[", "{": balance += 1
            case "]", "}": balance -= 1
            case "#": return balance
            default: break
            }
        }
        return balance
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces, tabs and carriage returns (TOML's whitespace).
    public func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" || first == "\r" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\r" { slice.removeLast() }
        return String(slice)
    }
}
