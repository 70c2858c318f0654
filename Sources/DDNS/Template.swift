/// A text with placeholders: `{hostname}`, `{setting.token}`, `{captured.zone_id}`, with an
/// optional fallback used when the value is absent (`{ipv6?preserve}`) and, in JSON bodies,
/// a type (`{ttl|number}`, `{setting.proxied|bool}`). `{{` and `}}` stand for literal braces.
struct Template: Sendable, Equatable, CustomStringConvertible {
    enum Part: Sendable, Equatable {
        case literal(String)
        case placeholder(Placeholder)
    }

    struct Placeholder: Sendable, Equatable {
        var name: String
        var fallback: String?
        var type: ValueType

        enum ValueType: String, Sendable { case text, number, bool }
    }

    struct SyntaxError: Error, CustomStringConvertible {
        let description: String
    }

    let text: String
    let parts: [Part]

    var description: String { text }

    init(parsing text: String) throws(SyntaxError) {
        self.text = text
        var parts: [Part] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character == "{" {
                if next < text.endIndex, text[next] == "{" {
                    literal.append("{"); index = text.index(after: next); continue
                }
                guard let close = text[next...].firstIndex(of: "}") else {
                    throw SyntaxError(description: "unclosed '{' in \"\(text)\"; write {{ for a literal brace")
                }
                if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
                parts.append(.placeholder(try Self.placeholder(String(text[next..<close]), in: text)))
                index = text.index(after: close)
            } else if character == "}" {
                if next < text.endIndex, text[next] == "}" {
                    literal.append("}"); index = text.index(after: next); continue
                }
                throw SyntaxError(description: "stray '}' in \"\(text)\"; write }} for a literal brace")
            } else {
                literal.append(character)
                index = next
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
    }

    private static func placeholder(_ inner: String, in text: String) throws(SyntaxError) -> Placeholder {
        var body = inner
        var type = Placeholder.ValueType.text
        if let bar = body.lastIndex(of: "|") {
            let typeName = String(body[body.index(after: bar)...])
            guard let parsed = Placeholder.ValueType(rawValue: typeName), parsed != .text else {
                throw SyntaxError(description: "unknown type '|\(typeName)' in {\(inner)}; use |number or |bool")
            }
            type = parsed
            body = String(body[..<bar])
        }
        var fallback: String?
        if let question = body.firstIndex(of: "?") {
            fallback = String(body[body.index(after: question)...])
            body = String(body[..<question])
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
        guard !body.isEmpty, body.allSatisfy({ allowed.contains($0) }) else {
            throw SyntaxError(description: "'{\(inner)}' in \"\(text)\" is not a placeholder name")
        }
        return Placeholder(name: body, fallback: fallback, type: type)
    }

    var placeholders: [Placeholder] {
        parts.compactMap { if case .placeholder(let p) = $0 { return p }; return nil }
    }

    /// The template is exactly one placeholder (so an absent value can drop the whole field).
    var singlePlaceholder: Placeholder? {
        if parts.count == 1, case .placeholder(let p) = parts[0] { return p }
        return nil
    }

    struct MissingValue: Error, CustomStringConvertible {
        let name: String
        var description: String { "no value for {\(name)}" }
    }

    /// Substitutes values, each encoded by `encode`; literal text is kept as written.
    func render(_ values: [String: String], encode: (String) -> String = { $0 }) throws(MissingValue) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text): out += text
            case .placeholder(let p):
                guard let value = values[p.name] ?? p.fallback else { throw MissingValue(name: p.name) }
                out += encode(value)
            }
        }
        return out
    }
}
