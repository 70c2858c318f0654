import Foundation

/// Finds the first rule whose conditions all hold for an answer.
enum ResponseClassifier {
    enum Verdict {
        case rule(ResponseRule)
        case unmatched
    }

    static func classify(_ response: DDNSHTTPResponse, json: JSONValue?, rules: [ResponseRule], values: [String: String]) -> Verdict {
        let body = String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        for rule in rules where matches(rule, response, body: body, json: json, values: values) {
            return .rule(rule)
        }
        return .unmatched
    }

    static func matches(_ rule: ResponseRule, _ response: DDNSHTTPResponse, body: String, json: JSONValue?, values: [String: String]) -> Bool {
        if !rule.status.isEmpty, !rule.status.contains(where: { $0.matches(response.status) }) { return false }
        let lowered = body.lowercased()
        if let prefix = rule.bodyPrefix, !lowered.hasPrefix(prefix.lowercased()) { return false }
        if let needle = rule.bodyContains, !lowered.contains(needle.lowercased()) { return false }
        if let exact = rule.bodyEquals, lowered != exact.lowercased() { return false }
        if let empty = rule.bodyEmpty, body.isEmpty != empty { return false }
        if let pattern = rule.bodyRegex {
            guard let regex = try? NSRegularExpression(pattern: pattern),
                  regex.firstMatch(in: body, range: NSRange(body.startIndex..., in: body)) != nil else { return false }
        }
        if let path = rule.jsonPath {
            let found = json.flatMap { path.evaluate($0, values: values) }
            let present = found != nil && found != .null
            if let exists = rule.jsonExists, present != exists { return false }
            if let equals = rule.jsonEquals {
                guard let expected = try? equals.render(values), let actual = found?.scalarText,
                      actual.lowercased() == expected.lowercased() else { return false }
            }
            if let contains = rule.jsonContains {
                guard let expected = try? contains.render(values), let found else { return false }
                switch found {
                case .array(let items):
                    guard items.contains(where: { $0.scalarText?.lowercased() == expected.lowercased() }) else { return false }
                default:
                    guard let text = found.scalarText, text.lowercased().contains(expected.lowercased()) else { return false }
                }
            }
            if rule.jsonExists == nil, rule.jsonEquals == nil, rule.jsonContains == nil, !present { return false }
        }
        return true
    }
}
