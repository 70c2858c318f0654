import TOMLKit

/// A parsed TOML value as plain Swift data, so provider files can be merged (`based_on`),
/// validated and turned into JSON bodies without holding on to TOMLKit's C++ nodes.
indirect enum TOMLNode: Sendable, Equatable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case array([TOMLNode])
    case table([String: TOMLNode])

    init(_ value: TOMLValueConvertible) {
        switch value.type {
        case .string: self = .string(value.string ?? "")
        case .int: self = .int(value.int ?? 0)
        case .double: self = .double(value.double ?? 0)
        case .bool: self = .bool(value.bool ?? false)
        case .array:
            self = .array((value.array.map { Array($0) } ?? []).map(TOMLNode.init))
        case .table:
            self = .table(value.table.map(TOMLNode.dictionary) ?? [:])
        default:
            // Dates and times have no use in provider files; keep their text for error messages.
            self = .string(value.debugDescription)
        }
    }

    static func dictionary(_ table: TOMLTable) -> [String: TOMLNode] {
        var result: [String: TOMLNode] = [:]
        for (key, value) in table { result[key] = TOMLNode(value) }
        return result
    }

    var string: String? { if case .string(let s) = self { return s }; return nil }
    var int: Int? { if case .int(let i) = self { return i }; return nil }
    var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    var array: [TOMLNode]? { if case .array(let a) = self { return a }; return nil }
    var table: [String: TOMLNode]? { if case .table(let t) = self { return t }; return nil }

    /// How a value is named in an error message.
    var kindDescription: String {
        switch self {
        case .string(let s): return "the string \"\(s)\""
        case .int(let i): return "the number \(i)"
        case .double(let d): return "the number \(d)"
        case .bool(let b): return b ? "true" : "false"
        case .array: return "an array"
        case .table: return "a table"
        }
    }
}
