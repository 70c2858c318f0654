/// A problem in the configuration, pointing at the file and line so the user can fix it
/// without guessing.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String
    /// The other problems found in the same file, in file order after this one: loading
    /// reads the whole file and reports every problem at once, not only the first.
    public var further: [ConfigError] = []
    /// What could be read despite the problems (broken values left at their defaults, entries
    /// without their required keys left out), so `config check` can go on to check the rest;
    /// nil when the file could not be read or parsed as TOML at all.
    public var partial: HomeportConfig?

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// This problem and every further one, each on its own (without `further`), in file order.
    public var all: [ConfigError] {
        var first = self
        first.further = []
        first.partial = nil
        return [first] + further
    }

    /// One line per problem.
    public var description: String {
        all.map(\.placedMessage).joined(separator: "\n")
    }

    private var placedMessage: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }

    /// One error holding every problem in `problems`, the earliest line first; nil when there are none.
    static func collecting(_ problems: [ConfigError], partial: HomeportConfig?) -> ConfigError? {
        let ordered = problems.enumerated().sorted { a, b in
            (a.element.line ?? 0, a.offset) < (b.element.line ?? 0, b.offset)
        }.map(\.element)
        guard var first = ordered.first else { return nil }
        first.further = Array(ordered.dropFirst())
        first.partial = partial
        return first
    }
}

/// Collects the problems found while reading one file, so reading goes on past the first.
final class ConfigProblems {
    private(set) var errors: [ConfigError] = []

    func record(_ error: ConfigError) {
        errors += error.all
    }
}
