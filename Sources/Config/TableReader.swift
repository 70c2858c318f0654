import TOMLKit

/// Reads one TOML table with typed accessors whose errors name the file, the line, the table
/// and what would have been valid. `attempt` records an error and reads on, so one pass over
/// the file finds every problem in it.
struct TableReader {
    let table: TOMLTable
    /// How the table is named to the user: `[daemon]`, `[[service]] #2`.
    let title: String
    /// The table's id in the line index.
    let section: String
    let file: String
    let lines: KeyLineIndex
    /// Where `attempt` and `reportUnknownKeys` record problems; shared by every table of a file.
    let problems: ConfigProblems

    /// A reader for a table inside this one, recording into the same problems.
    func nested(_ table: TOMLTable, title: String, section: String) -> TableReader {
        TableReader(table: table, title: title, section: section, file: file, lines: lines, problems: problems)
    }

    /// Runs one read; its error is recorded and nil returned, so reading goes on.
    func attempt<T>(_ read: () throws(ConfigError) -> T?) -> T? {
        do {
            return try read()
        } catch {
            problems.record(error)
            return nil
        }
    }

    /// Records `message` as a problem of `key` (or of the table when nil).
    func report(_ key: String?, _ message: String) {
        problems.record(error(key, message))
    }

    func error(_ key: String?, _ message: String) -> ConfigError {
        let line = key.flatMap { lines.line(ofKey: $0, in: section) } ?? lines.line(ofSection: section)
        return ConfigError(file: file, line: line, message: message)
    }

    func has(_ key: String) -> Bool { table[key] != nil }

    /// Reports every key outside `valid`, suggesting the closest valid one.
    func reportUnknownKeys(_ valid: [String]) {
        for key in table.keys.sorted() where !valid.contains(key) {
            var message = "unknown key '\(key)' in \(title)"
            if let guess = KeySuggestion.closest(to: key, in: valid) {
                message += " (did you mean '\(guess)'?)"
            }
            message += "; valid keys: \(valid.sorted().joined(separator: ", "))"
            report(key, message)
        }
    }

    /// Whether `key` is absent but another key of the table looks like a misspelling of it,
    /// which the unknown-key problem already names ("did you mean …?").
    func isMisspelled(_ key: String, valid: [String]) -> Bool {
        !has(key) && table.keys.contains { !valid.contains($0) && KeySuggestion.closest(to: $0, in: valid) == key }
    }

    func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let value = table[key] else { return nil }
        guard let bool = value.bool else {
            throw error(key, "'\(key)' in \(title) must be true or false, not \(Self.describe(value))")
        }
        return bool
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let value = table[key] else { return nil }
        guard let number = value.int else {
            throw error(key, "'\(key)' in \(title) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(Self.describe(value))")
        }
        guard range.contains(number) else {
            throw error(key, "'\(key)' in \(title) must be from \(range.lowerBound) to \(range.upperBound), not \(number)")
        }
        return number
    }

    func string(_ key: String) throws(ConfigError) -> String? {
        guard let value = table[key] else { return nil }
        guard let string = value.string else {
            throw error(key, "'\(key)' in \(title) must be a string in quotes, not \(Self.describe(value))")
        }
        return string
    }

    func requiredString(_ key: String, example: String) throws(ConfigError) -> String {
        guard let value = try string(key), !value.isEmpty else {
            throw error(nil, "\(title) needs '\(key)', for example \(key) = \(example)")
        }
        return value
    }

    func stringArray(_ key: String) throws(ConfigError) -> [String]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array else {
            throw error(key, "'\(key)' in \(title) must be an array of strings such as [\"a\", \"b\"], not \(Self.describe(value))")
        }
        var result: [String] = []
        for element in array {
            guard let string = element.string else {
                throw error(key, "'\(key)' in \(title) must contain only strings, found \(Self.describe(element))")
            }
            result.append(string)
        }
        return result
    }

    func oneOf<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws(ConfigError) -> T? where T.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let value = T(rawValue: text) else {
            let valid = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw error(key, "'\(key)' in \(title) must be one of \(valid), not \"\(text)\"")
        }
        return value
    }

    /// `key` as true or false, or `fallback` when it is absent or wrong (the problem recorded).
    func bool(_ key: String, or fallback: Bool) -> Bool {
        attempt { () throws(ConfigError) in try bool(key) } ?? fallback
    }

    /// `key`'s duration, or `fallback` when it is absent or wrong (the problem recorded).
    func duration(_ key: String, min: Duration = .zero, max: Duration, why: String? = nil, or fallback: Duration) -> Duration {
        attempt { () throws(ConfigError) in try duration(key, min: min, max: max, why: why) } ?? fallback
    }

    /// A duration from `min` to `max`. Text that is not a duration, or is one longer than any
    /// bound (`999999999999999999d`), gets the same answer: what would be valid, and the range.
    /// `why` says why the minimum exists, when it is not obvious.
    func duration(_ key: String, min: Duration = .zero, max: Duration = .seconds(365 * 86400), why: String? = nil) throws(ConfigError) -> Duration? {
        guard let value = table[key] else { return nil }
        let range = "from 0s to \(DurationText.format(max))"
        let parsed: Duration?
        if let seconds = value.int {
            parsed = seconds >= 0 && seconds <= Int(max.components.seconds) ? .seconds(seconds) : nil
        } else if let text = value.string {
            parsed = DurationText.parse(text)
        } else {
            parsed = nil
        }
        guard let parsed else {
            throw error(key, "'\(key)' in \(title) must be a duration \(range) (\(DurationText.help)), not \(Self.describe(value))")
        }
        guard parsed <= max else {
            throw error(key, "'\(key)' in \(title) must be at most \(DurationText.format(max)) (\(range)), not \(DurationText.format(parsed))")
        }
        guard parsed >= min else {
            throw error(key, "'\(key)' in \(title) must be at least \(DurationText.format(min))" + (why.map { "; \($0)" } ?? ""))
        }
        return parsed
    }

    func subtable(_ key: String, title: String) throws(ConfigError) -> TOMLTable? {
        guard let value = table[key] else { return nil }
        guard let sub = value.table else {
            throw error(key, "'\(key)' must be a table (\(title)), not \(Self.describe(value))")
        }
        return sub
    }

    static func describe(_ value: TOMLValueConvertible) -> String {
        switch value.type {
        case .string: return "the string \"\(value.string ?? "")\""
        case .int: return "the number \(value.int ?? 0)"
        case .double: return "the number \(value.double ?? 0)"
        case .bool: return (value.bool ?? false) ? "true" : "false"
        case .array: return "an array"
        case .table: return "a table"
        default: return "a \(value.type)"
        }
    }
}
