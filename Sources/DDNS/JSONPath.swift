import Config
/// A small path into a JSON answer: `result[0].id`, `domain_records.0.data`,
/// `records[type=A,name={record_name}].id` (the first element whose fields equal the given
/// values), `$` or empty for the whole document.
struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    enum Component: Sendable, Equatable {
        case key(String)
        case index(Int)
        case filter([(String, Template)])

        static func == (a: Component, b: Component) -> Bool {
            switch (a, b) {
            case (.key(let x), .key(let y)): return x == y
            case (.index(let x), .index(let y)): return x == y
            case (.filter(let x), .filter(let y)): return x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
            default: return false
            }
        }
    }

    struct SyntaxError: Error, CustomStringConvertible { let description: String }

    let text: String
    let components: [Component]
    var description: String { text }

    init(parsing text: String) throws(SyntaxError) {
        self.text = text
        var components: [Component] = []
        var rest = Substring(text)
        if rest.hasPrefix("$") { rest = rest.dropFirst() }
        if rest.hasPrefix(".") { rest = rest.dropFirst() }
        var key = ""
        func flush() { if !key.isEmpty { components.append(Int(key).map(Component.index) ?? .key(key)); key = "" } }
        while let character = rest.first {
            if character == "." {
                flush(); rest = rest.dropFirst()
            } else if character == "[" {
                flush()
                guard let close = rest.firstIndex(of: "]") else {
                    throw SyntaxError(description: "unclosed '[' in JSON path \"\(text)\"")
                }
                let inside = rest[rest.index(after: rest.startIndex)..<close]
                if let index = Int(inside) {
                    components.append(.index(index))
                } else {
                    var conditions: [(String, Template)] = []
                    for condition in inside.split(separator: ",") {
                        let pair = condition.split(separator: "=", maxSplits: 1)
                        guard pair.count == 2, !pair[0].trimmingSpaces().isEmpty else {
                            throw SyntaxError(description: "'[\(inside)]' in JSON path \"\(text)\" must be an index like [0] or a filter like [name={hostname}]")
                        }
                        do {
                            conditions.append((pair[0].trimmingSpaces(), try Template(parsing: pair[1].trimmingSpaces())))
                        } catch {
                            throw SyntaxError(description: "in JSON path \"\(text)\": \(error.description)")
                        }
                    }
                    components.append(.filter(conditions))
                }
                rest = rest[rest.index(after: close)...]
            } else {
                key.append(character); rest = rest.dropFirst()
            }
        }
        flush()
        self.components = components
    }

    var placeholders: [Template.Placeholder] {
        components.flatMap { component -> [Template.Placeholder] in
            if case .filter(let conditions) = component { return conditions.flatMap { $0.1.placeholders } }
            return []
        }
    }

    /// The value at the path, or nil when any step is missing.
    func evaluate(_ root: JSONValue, values: [String: String]) -> JSONValue? {
        var current = root
        for component in components {
            switch (component, current) {
            case (.key(let key), .object(let members)):
                guard let next = members[key] else { return nil }
                current = next
            case (.index(let index), .array(let items)):
                guard items.indices.contains(index) else { return nil }
                current = items[index]
            case (.filter(let conditions), .array(let items)):
                let wanted = conditions.map { ($0.0, try? $0.1.render(values)) }
                guard let match = items.first(where: { item in
                    wanted.allSatisfy { field, value in
                        guard case .object(let members) = item, let value, let actual = members[field]?.scalarText else { return false }
                        return actual.lowercased() == value.lowercased()
                    }
                }) else { return nil }
                current = match
            default:
                return nil
            }
        }
        return current
    }
}
