import Foundation

/// Loosely typed access to the CLI's JSON output: the scenario tests check a few documented
/// keys and must not break on fields added later.
struct LabJSON: @unchecked Sendable {
    /// A parsed JSON value (dictionary, array, string, NSNumber or NSNull).
    let value: Any

    init(_ value: Any) {
        self.value = value
    }

    /// Parses `text`, naming the command's whole output when it is not JSON.
    init(parsing text: String, from command: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let data = trimmed.data(using: .utf8), !trimmed.isEmpty,
              let parsed = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            throw TestFailure("`\(command)` did not print JSON:\n\(text)")
        }
        value = parsed
    }

    /// The value at a dotted path such as "verdict.kind"; nil when a key is absent.
    subscript(path: String) -> LabJSON? {
        var current: Any = value
        for key in path.split(separator: ".") {
            guard let object = current as? [String: Any], let next = object[String(key)] else { return nil }
            current = next
        }
        return LabJSON(current)
    }

    var string: String? { value as? String }
    var int: Int? { value as? Int }
    var bool: Bool? {
        if let flag = value as? Bool { return flag }
        return (value as? NSNumber)?.boolValue
    }
    var isNull: Bool { value is NSNull }
    var array: [LabJSON]? { (value as? [Any])?.map(LabJSON.init) }
    var isNumber: Bool { value is NSNumber }

    /// The JSON text again, for failure messages.
    var text: String {
        guard JSONSerialization.isValidJSONObject(value),
              let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else { return "\(value)" }
        return String(decoding: data, as: UTF8.self)
    }
}
