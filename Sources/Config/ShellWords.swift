/// Splits a command line the way a POSIX shell splits words, without running a shell: single
/// quotes, double quotes (with `\"`, `\\`, `\$` escapes) and backslash escapes. No expansion.
public enum ShellWords {
    public struct Unbalanced: Error {}

    public static func split(_ line: String) throws(Unbalanced) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var iterator = Array(line).makeIterator()
        enum Quote { case none, single, double }
        var quote = Quote.none
        while let character = iterator.next() {
            switch quote {
            case .single:
                if character == "'" { quote = .none } else { current.append(character) }
            case .double:
                if character == "\"" {
                    quote = .none
                } else if character == "\\" {
                    guard let next = iterator.next() else { throw Unbalanced() }
                    if "\"\\$`".contains(next) { current.append(next) } else { current.append(character); current.append(next) }
                } else {
                    current.append(character)
                }
            case .none:
                if character == " " || character == "\t" || character == "\n" {
                    if inWord { words.append(current); current = ""; inWord = false }
                    continue
                }
                inWord = true
                if character == "'" {
                    quote = .single
                } else if character == "\"" {
                    quote = .double
                } else if character == "\\" {
                    guard let next = iterator.next() else { throw Unbalanced() }
                    current.append(next)
                } else {
                    current.append(character)
                }
            }
        }
        guard quote == .none else { throw Unbalanced() }
        if inWord { words.append(current) }
        return words
    }
}
