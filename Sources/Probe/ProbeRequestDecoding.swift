import Foundation

/// Request bodies to `ProbeRequest`, or a refusal whose message says what is wrong and where.
enum ProbeRequestDecoding {
    static let example = #"{"ports": [{"port": 21116, "check": "nat_test"}]}"#

    static func decode(_ body: [UInt8]) throws(ProbeRefusal) -> ProbeRequest {
        let request: ProbeRequest
        do {
            request = try JSONDecoder().decode(ProbeRequest.self, from: Data(body))
        } catch let error as DecodingError {
            throw ProbeRefusal(.badRequest, "the body is not a valid check request: \(describe(error)); send JSON such as \(example)")
        } catch {
            throw ProbeRefusal(.badRequest, "the body is not JSON; send JSON such as \(example)")
        }
        try validate(request)
        return request
    }

    static func validate(_ request: ProbeRequest) throws(ProbeRefusal) {
        guard !request.ports.isEmpty else {
            throw ProbeRefusal(.badRequest, "'ports' is empty; name at least one port, such as \(example)")
        }
        guard request.ports.count <= ProbeSettings.maximumPorts else {
            throw ProbeRefusal(.badRequest, "'ports' names \(request.ports.count) ports; at most \(ProbeSettings.maximumPorts) are checked per request")
        }
        for (index, port) in request.ports.enumerated() where !(1...65535).contains(port.port) {
            throw ProbeRefusal(.badRequest, "ports[\(index)].port is \(port.port); a port is from 1 to 65535")
        }
        var seen: Set<ProbeRequest.Port> = []
        for (index, port) in request.ports.enumerated() where !seen.insert(port).inserted {
            throw ProbeRefusal(.badRequest, "ports[\(index)] repeats port \(port.port) with check \"\(port.check.rawValue)\"; name each once")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "\(place(context.codingPath + [key])) is missing"
        case .typeMismatch(let type, let context):
            return "\(place(context.codingPath)) must be \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "\(place(context.codingPath)) must be \(typeName(type)), not null"
        case .dataCorrupted(let context):
            if context.codingPath.last?.stringValue == "check" {
                return "\(place(context.codingPath)) must be one of \(PortCheckKind.spellings)"
            }
            return context.codingPath.isEmpty ? "the body is not JSON" : "\(place(context.codingPath)) is not valid"
        @unknown default:
            return "it could not be read"
        }
    }

    private static func place(_ path: [any CodingKey]) -> String {
        guard !path.isEmpty else { return "the body" }
        var text = ""
        for key in path {
            if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
        return "'\(text)'"
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "a whole number"
        case is String.Type: "a string"
        case is [ProbeRequest.Port].Type, is Array<Any>.Type: "a list"
        default: "an object"
        }
    }
}
