/// Any JSON value, for reading `nft -j` output whose expressions have many shapes
/// (libnftables-json(5)).
enum JSONValue: Decodable, Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var int: Int? {
        switch self {
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? Int(value) : nil
        case .string(let text): Int(text)
        default: nil
        }
    }

    var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The only key of a one-member object (`{"accept": null}`, `{"payload": {...}}`).
    var soleKey: (String, JSONValue)? {
        if case .object(let members) = self, members.count == 1, let member = members.first { return (member.key, member.value) }
        return nil
    }
}
