import Foundation

/// rustdesk-server's way of reading options (docs/rustdesk-protocol.md#options), so an existing hbbs command line,
/// `.env` file or container environment works unchanged: names are compared upper-cased with
/// `_` read as `-`, and the sources are, from strongest: command-line flag, the `-c` INI file,
/// `.env` in the working directory, the inherited environment.
public struct OptionSources: Sendable {
    private var values: [String: String] = [:]

    public static func normalize(_ name: String) -> String {
        name.uppercased().replacingOccurrences(of: "_", with: "-")
    }

    public init(environment: [String: String], dotEnv: String? = nil, configFile: String? = nil) throws {
        for (key, value) in environment { values[Self.normalize(key)] = value }
        for path in [dotEnv, configFile].compactMap({ $0 }) {
            guard FileManager.default.fileExists(atPath: path) else {
                if path == configFile { throw Failure(description: "\(path): no such configuration file (given with -c)") }
                continue
            }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw Failure(description: "\(path): cannot be read")
            }
            for (key, value) in Self.parseINI(text) { values[Self.normalize(key)] = value }
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// `KEY=value` lines; `#`/`;` comments and `[sections]` are skipped; quotes are removed.
    static func parseINI(_ text: String) -> [(String, String)] {
        text.split(whereSeparator: \.isNewline).compactMap { raw in
            let line = raw.trimmingCharacters()
            guard !line.isEmpty, !line.hasPrefix("#"), !line.hasPrefix(";"), !line.hasPrefix("["),
                  let equals = line.firstIndex(of: "=") else { return nil }
            var key = line[..<equals].trimmingCharacters()
            if key.hasPrefix("export ") { key = String(key.dropFirst(7)).trimmingCharacters() }
            var value = line[line.index(after: equals)...].trimmingCharacters()
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            return (key, value)
        }
    }

    public func value(_ name: String) -> String? {
        values[Self.normalize(name)]
    }

    /// `Y`/`y` is true, anything else false.
    public func flag(_ name: String) -> Bool {
        value(name)?.uppercased() == "Y"
    }
}
