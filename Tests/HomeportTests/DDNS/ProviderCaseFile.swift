import Config
@testable import DDNS
import Foundation
import History
import InternetAddress
import TOMLKit

/// Where the shipped provider files and their test cases live in the source tree.
enum DDNSTestPaths {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let providers = repository.appendingPathComponent("providers").path
    static let cases = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Cases").path

    /// Providers tested over HTTP by their case files. RFC 2136 speaks DNS, not HTTP, and is
    /// tested by its own suite against a real name server.
    static let notHTTP: Set<String> = ["rfc2136"]

    static func providerNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: providers)) ?? [])
            .filter { $0.hasSuffix(".toml") && !$0.hasPrefix("_") }.map { String($0.dropLast(5)) }
            .filter { !notHTTP.contains($0) }.sorted()
    }

    static func caseNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: cases)) ?? [])
            .filter { $0.hasSuffix(".toml") }.map { String($0.dropLast(5)) }.sorted()
    }
}

/// One provider's test cases (Tests/HomeportTests/DDNS/Cases/<provider>.toml): each case is
/// an update request, the exact requests the provider must receive with the replies to play,
/// and the expected outcome. The format is described in providers/README.md.
struct ProviderCaseFile {
    struct Case {
        var name: String
        var hostname: String
        var ipv4: IPAddress?
        var ipv6: IPAddress?
        var ttl: Int?
        var settings: [String: SettingValue]
        var environment: [String: String]
        var outcome: DDNSOutcome?
        var outcomes: [IPFamily: DDNSOutcome]
        var retryAfter: Duration?
        var messageContains: String?
        var exchanges: [Exchange]
    }

    struct Exchange {
        var method: String
        var path: String
        var query: [String: String]?
        var headers: [String: String]
        var absentHeaders: [String]
        var body: String?
        var json: JSONValue?
        var form: [String: String]?
        var reply: ReplayHTTPServer.Reply
    }

    struct Problem: Error, CustomStringConvertible { let description: String }

    var cases: [Case] = []

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw Problem(description: "\(path): cannot be read")
        }
        let root = TOMLNode.dictionary(try TOMLTable(string: text))
        func fail(_ message: String) -> Problem { Problem(description: "\(path): \(message)") }
        func strings(_ node: TOMLNode?) -> [String: String]? {
            guard let table = node?.table else { return nil }
            return table.mapValues { value in
                switch value {
                case .string(let s): return s
                case .int(let i): return String(i)
                case .bool(let b): return b ? "true" : "false"
                default: return "\(value)"
                }
            }
        }
        for (index, node) in (root["case"]?.array ?? []).enumerated() {
            guard let table = node.table else { throw fail("case #\(index + 1) is not a table") }
            let name = table["name"]?.string ?? "case #\(index + 1)"
            guard let hostname = table["hostname"]?.string else { throw fail("case \"\(name)\" needs hostname") }
            var settings: [String: SettingValue] = [:]
            for (key, value) in strings(table["settings"]) ?? [:] {
                settings[key] = DDNSEntry.isSecretSetting(key) || value.hasPrefix("env:") ? .secret(SecretValue(parsing: value)) : .plain(value)
            }
            var outcomes: [IPFamily: DDNSOutcome] = [:]
            for (key, value) in strings(table["outcomes"]) ?? [:] {
                guard let family = IPFamily(rawValue: key), let outcome = DDNSOutcome(providerAnswer: value) else { throw fail("case \"\(name)\": bad outcomes entry \(key) = \(value)") }
                outcomes[family] = outcome
            }
            var outcome: DDNSOutcome?
            if let text = table["outcome"]?.string {
                guard let parsed = DDNSOutcome(providerAnswer: text) else { throw fail("case \"\(name)\": unknown outcome \(text); use \(DDNSOutcome.answerNames.joined(separator: ", "))") }
                outcome = parsed
            }
            if outcome == nil && outcomes.isEmpty { throw fail("case \"\(name)\" needs outcome (or outcomes)") }
            var retryAfter: Duration?
            if let node = table["retry_after"] {
                retryAfter = node.int.map { .seconds($0) } ?? node.string.flatMap(DurationText.parse)
                if retryAfter == nil { throw fail("case \"\(name)\": retry_after must be a duration") }
            }
            var exchanges: [Exchange] = []
            for (position, item) in (table["exchange"]?.array ?? []).enumerated() {
                guard let exchange = item.table else { throw fail("case \"\(name)\" exchange #\(position + 1) is not a table") }
                guard let reply = exchange["reply"]?.table, let status = reply["status"]?.int else {
                    throw fail("case \"\(name)\" exchange #\(position + 1) needs reply = { status = 200, body = \"…\" }")
                }
                var replyHeaders: [(String, String)] = []
                for (key, value) in (strings(reply["headers"]) ?? [:]).sorted(by: { $0.key < $1.key }) { replyHeaders.append((key, value)) }
                var replyBody = reply["body"]?.string ?? ""
                if let json = reply["json"] { replyBody = (try RequestRenderer.json(json, [:]) ?? .null).serialized }
                var expectedJSON: JSONValue?
                if let json = exchange["json"] { expectedJSON = try RequestRenderer.json(json, [:]) }
                exchanges.append(Exchange(
                    method: exchange["method"]?.string ?? "GET",
                    path: exchange["path"]?.string ?? "/",
                    query: strings(exchange["query"]),
                    headers: strings(exchange["headers"]) ?? [:],
                    absentHeaders: exchange["absent_headers"]?.array?.compactMap(\.string) ?? [],
                    body: exchange["body"]?.string,
                    json: expectedJSON,
                    form: strings(exchange["form"]),
                    reply: ReplayHTTPServer.Reply(status: status, headers: replyHeaders, body: replyBody)))
            }
            var addresses: [IPFamily: IPAddress] = [:]
            for family in IPFamily.allCases {
                guard let text = table[family.rawValue]?.string else { continue }
                do { addresses[family] = try IPAddress(parsing: text, family: family) } catch { throw fail("case \"\(name)\": \(family.rawValue): \(error)") }
            }
            cases.append(Case(name: name, hostname: hostname, ipv4: addresses[.ipv4], ipv6: addresses[.ipv6], ttl: table["ttl"]?.int,
                              settings: settings, environment: strings(table["environment"]) ?? [:], outcome: outcome, outcomes: outcomes,
                              retryAfter: retryAfter, messageContains: table["message_contains"]?.string, exchanges: exchanges))
        }
        if cases.isEmpty { throw fail("has no [[case]]") }
    }
}
