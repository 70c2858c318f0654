/// A problem in a provider file: where it is, which field, what is wrong and how to fix it.
public struct ProviderLintError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    /// The field as a path: `step "lookup" > query.name`, `settings.token.required`.
    public var field: String
    public var message: String
    public var fix: String

    public init(file: String, line: Int?, field: String, message: String, fix: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
        self.fix = fix
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return "\(place): \(field): \(message); fix: \(fix)"
    }
}

enum NameSuggestion {
    /// The closest candidate within a small edit distance, for "did you mean" hints.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) else { return nil }
        return best.0
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
