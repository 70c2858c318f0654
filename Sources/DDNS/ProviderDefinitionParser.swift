import Config
import Foundation
import History
import InternetAddress

/// Turns a provider file (already merged with its `based_on` template) into a
/// `ProviderDefinition`, collecting every problem instead of stopping at the first.
struct ProviderDefinitionParser {
    let name: String
    let file: String
    let lines: SourceLineIndex
    /// Adapter kinds other than `template` that exist in this build.
    let swiftKinds: Set<String>
    private(set) var errors: [ProviderLintError] = []
    /// Every placeholder some template uses, to find declared settings nothing uses.
    private var used: Set<String> = []

    static let builtinPlaceholders = ["hostname", "zone", "record_name", "record_name_at", "ip", "ipv4", "ipv6",
                                      "record_type", "family", "ttl"]
    static let topKeys = ["name", "display_name", "documentation", "kind", "based_on", "families", "base_url",
                          "base_url_ipv6", "requests", "default_ttl", "min_interval", "refresh_interval",
                          "settings", "step", "rule", "auth", "headers"]
    static let settingKeys = ["required", "secret", "default", "description", "example"]
    static let stepKeys = ["name", "method", "path", "url", "query", "headers", "auth", "form", "json", "body",
                           "content_type", "capture", "rule", "success", "require", "__section"]
    static let ruleKeys = ["status", "body_prefix", "body_contains", "body_equals", "body_regex", "body_empty",
                           "json", "json_equals", "json_exists", "json_contains", "outcome", "then", "retry_after", "message"]
    static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    init(name: String, file: String, lines: SourceLineIndex, swiftKinds: Set<String>) {
        self.name = name
        self.file = file
        self.lines = lines
        self.swiftKinds = swiftKinds
    }

    private mutating func fail(_ section: String, _ key: String?, _ field: String, _ message: String, fix: String) {
        errors.append(ProviderLintError(file: file, line: lines.line(of: key, in: section), field: field, message: message, fix: fix))
    }

    private mutating func checkKeys(_ table: [String: TOMLNode], _ valid: [String], section: String, field: String) {
        for key in table.keys.sorted() where !valid.contains(key) {
            var fix = "remove it"
            if let guess = NameSuggestion.closest(to: key, in: valid.filter { !$0.hasPrefix("__") }) { fix = "did you mean '\(guess)'?" }
            fail(section, key, field.isEmpty ? key : "\(field).\(key)", "unknown key '\(key)'", fix: fix + "; valid keys: " + valid.filter { !$0.hasPrefix("__") }.joined(separator: ", "))
        }
    }

    private mutating func string(_ table: [String: TOMLNode], _ key: String, section: String, field: String) -> String? {
        guard let node = table[key] else { return nil }
        guard let text = node.string else {
            fail(section, key, field, "must be a string in quotes, not \(node.kindDescription)", fix: "write \(key) = \"...\"")
            return nil
        }
        return text
    }

    /// The longest interval or retry delay a provider file may name; a provider that wants
    /// clients to wait longer than a year is a typo.
    static let maxDuration: Duration = .seconds(365 * 86400)

    private mutating func duration(_ table: [String: TOMLNode], _ key: String) -> Duration? {
        guard let node = table[key] else { return nil }
        if let parsed = Self.boundedDuration(node) { return parsed }
        fail("", key, key, "is \(node.kindDescription), not a duration from 0s to \(DurationText.format(Self.maxDuration))",
             fix: "write \(DurationText.help)")
        return nil
    }

    /// A whole number of seconds or duration text, from 0 to `maxDuration`.
    static func boundedDuration(_ node: TOMLNode) -> Duration? {
        let parsed: Duration?
        if let seconds = node.int {
            parsed = seconds >= 0 && seconds <= Int(maxDuration.components.seconds) ? .seconds(seconds) : nil
        } else if let text = node.string {
            parsed = DurationText.parse(text)
        } else {
            parsed = nil
        }
        guard let parsed, parsed <= maxDuration else { return nil }
        return parsed
    }

    static func validURL(_ text: String) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
              components.query == nil, components.fragment == nil else { return false }
        return true
    }

    mutating func parse(_ root: [String: TOMLNode]) -> ProviderDefinition? {
        checkKeys(root, Self.topKeys, section: "", field: "")
        if let declared = string(root, "name", section: "", field: "name"), declared != name {
            fail("", "name", "name", "is \"\(declared)\" but the file is \(name).toml", fix: "rename the file to \(declared).toml or set name = \"\(name)\"")
        }
        let displayName = string(root, "display_name", section: "", field: "display_name") ?? ""
        if displayName.isEmpty {
            fail("", nil, "display_name", "is missing", fix: "add display_name = \"Provider Name\" at the top of the file")
        }
        let documentation = string(root, "documentation", section: "", field: "documentation") ?? ""
        if documentation.isEmpty {
            fail("", nil, "documentation", "is missing", fix: "add documentation = \"https://…\" (the provider's API documentation)")
        } else if !Self.validURL(documentation.components(separatedBy: "?")[0].components(separatedBy: "#")[0]) {
            fail("", "documentation", "documentation", "\"\(documentation)\" is not an http(s) URL", fix: "write the full address, e.g. \"https://example.com/docs\"")
        }
        let kind = string(root, "kind", section: "", field: "kind") ?? "template"
        if kind != "template", !swiftKinds.contains(kind) {
            fail("", "kind", "kind", "unknown kind \"\(kind)\"", fix: "use \"template\" or one of: \(swiftKinds.sorted().joined(separator: ", "))")
        }

        var families: [IPFamily] = []
        if let node = root["families"] {
            let names = node.array?.compactMap(\.string) ?? []
            if names.isEmpty || names.count != node.array?.count {
                fail("", "families", "families", "must be a non-empty array of strings", fix: "write families = [\"ipv4\", \"ipv6\"]")
            }
            for family in names {
                if let parsed = IPFamily(rawValue: family) { families.append(parsed) }
                else { fail("", "families", "families", "unknown family \"\(family)\"", fix: "use \"ipv4\" and/or \"ipv6\"") }
            }
        } else {
            fail("", nil, "families", "is missing", fix: "add families = [\"ipv4\", \"ipv6\"] (the families the provider accepts)")
        }

        var baseURLs: [String?] = []
        for key in ["base_url", "base_url_ipv6"] {
            let value = string(root, key, section: "", field: key)
            if let value, !Self.validURL(value) {
                fail("", key, key, "\"\(value)\" is not a valid base URL", fix: "write scheme and host, optionally a path prefix, no query: \"https://api.example.com/v1\"")
            }
            baseURLs.append(value)
        }

        var mode = ProviderDefinition.RequestMode.perFamily
        if let text = string(root, "requests", section: "", field: "requests") {
            if let parsed = ProviderDefinition.RequestMode(rawValue: text) { mode = parsed }
            else { fail("", "requests", "requests", "unknown mode \"\(text)\"", fix: "use \"per_family\" (one request per address family) or \"dual_stack\" (one request for both)") }
        }
        var defaultTTL: Int?
        if let node = root["default_ttl"] {
            // RFC 2181 section 8: a TTL is an unsigned 31-bit number of seconds.
            if let value = node.int, (1...2_147_483_647).contains(value) { defaultTTL = value }
            else {
                fail("", "default_ttl", "default_ttl", "must be a whole number of seconds from 1 to 2147483647, not \(node.kindDescription)",
                     fix: "write default_ttl = 300")
            }
        }

        let settings = parseSettings(root["settings"])
        var placeholderNames = Set(Self.builtinPlaceholders)
        placeholderNames.insert("setting.server")
        for setting in settings { placeholderNames.insert("setting.\(setting.name)") }

        var steps: [ProviderStep] = []
        // Top-level auth and headers apply to every step that does not say otherwise.
        let stepNodes = (root["step"]?.array ?? []).map { node -> TOMLNode in
            guard var table = node.table else { return node }
            if table["auth"] == nil, let auth = root["auth"] { table["auth"] = auth }
            if let shared = root["headers"]?.table {
                table["headers"] = .table(ProviderMerge.mergeTables(shared, table["headers"]?.table ?? [:], deep: false))
            }
            return .table(table)
        }
        if root["step"] != nil, root["step"]?.array == nil {
            fail("", "step", "step", "must be an array of tables", fix: "write each step as [[step]]")
        }
        if kind == "template", stepNodes.isEmpty {
            fail("", nil, "step", "a template provider needs at least one [[step]]", fix: "add a [[step]] with method, path and rules (see providers/README.md)")
        }
        if kind == "template", baseURLs[0] == nil, settings.first(where: { $0.name == "server" }) == nil,
           !stepNodes.contains(where: { $0.table?["url"] != nil }) {
            fail("", nil, "base_url", "is missing", fix: "add base_url = \"https://…\", or declare [settings.server] with required = true for self-hosted servers")
        }
        let stepNames = stepNodes.enumerated().map { index, node in node.table?["name"]?.string ?? "step\(index + 1)" }
        // Captures become placeholders for the steps after the one that makes them.
        var captured = Set<String>()
        for (index, node) in stepNodes.enumerated() {
            guard let table = node.table else {
                fail("", "step", "step", "each step must be a table", fix: "write [[step]]"); continue
            }
            let section = table["__section"]?.string ?? "inherited#\(index)"
            if let step = parseStep(table, name: stepNames[index], section: section, placeholders: placeholderNames.union(captured.map { "captured.\($0)" }),
                                    stepNames: stepNames, isLast: index == stepNodes.count - 1) {
                captured.formUnion(step.captures.map(\.0))
                steps.append(step)
            }
        }
        if Set(stepNames).count != stepNames.count {
            fail("", "step", "step", "two steps have the same name", fix: "give every [[step]] a distinct name")
        }
        let rules = parseRules(root["rule"], section: "", fieldPrefix: "rule", placeholders: placeholderNames.union(captured.map { "captured.\($0)" }), stepNames: stepNames)

        if kind == "template" {
            for setting in settings where setting.required && !["server", "ttl"].contains(setting.name) {
                let zoneUsed = setting.name == "zone" && !used.isDisjoint(with: ["zone", "record_name", "record_name_at"])
                if !used.contains("setting.\(setting.name)") && !zoneUsed {
                    fail("settings.\(setting.name)", nil, "settings.\(setting.name)", "is required but no step uses {setting.\(setting.name)}",
                         fix: "use it in a request, or remove it (an inherited setting is removed with \(setting.name) = false under [settings])")
                }
            }
        }
        let minInterval = duration(root, "min_interval")
        let refreshInterval = duration(root, "refresh_interval")
        guard errors.isEmpty else { return nil }
        return ProviderDefinition(
            name: name, displayName: displayName, documentation: documentation, kind: kind, families: families,
            baseURL: baseURLs[0], baseURLIPv6: baseURLs[1], requests: mode, settings: settings, steps: steps, rules: rules,
            defaultTTL: defaultTTL, minInterval: minInterval, refreshInterval: refreshInterval, file: file,
            basedOn: root["based_on"]?.string.map { $0.hasPrefix("_") ? $0 : "_" + $0 })
    }

    private mutating func parseSettings(_ node: TOMLNode?) -> [ProviderSetting] {
        guard let node else { return [] }
        guard let table = node.table else {
            fail("", "settings", "settings", "must be a table of tables", fix: "write [settings.token] with required, secret, description")
            return []
        }
        var result: [ProviderSetting] = []
        // `name = false` removes a setting inherited through based_on.
        for key in table.keys.sorted() where table[key] != .bool(false) {
            let section = "settings.\(key)"
            guard let entry = table[key]?.table else {
                fail("settings", key, section, "must be a table", fix: "write [settings.\(key)] with description = \"…\"")
                continue
            }
            checkKeys(entry, Self.settingKeys, section: section, field: section)
            var bools: [String: Bool] = [:]
            for flag in ["required", "secret"] {
                guard let value = entry[flag] else { continue }
                if let bool = value.bool { bools[flag] = bool }
                else { fail(section, flag, "\(section).\(flag)", "must be true or false", fix: "write \(flag) = true") }
            }
            let description = string(entry, "description", section: section, field: "\(section).description") ?? ""
            if description.isEmpty {
                fail(section, nil, "\(section).description", "is missing", fix: "add description = \"what the user enters here\"")
            }
            var defaultValue: String?
            if let node = entry["default"] {
                switch node {
                case .string(let s): defaultValue = s
                case .int(let i): defaultValue = String(i)
                case .bool(let b): defaultValue = b ? "true" : "false"
                default: fail(section, "default", "\(section).default", "must be a string, number or boolean", fix: "write default = \"value\"")
                }
            }
            let secret = bools["secret"] ?? DDNSEntry.isSecretSetting(key)
            result.append(ProviderSetting(name: key, required: bools["required"] ?? false, secret: secret, defaultValue: defaultValue,
                                          description: description, example: string(entry, "example", section: section, field: "\(section).example")))
        }
        return result
    }

    private mutating func template(_ text: String, section: String, key: String, field: String, placeholders: Set<String>) -> Template? {
        let parsed: Template
        do { parsed = try Template(parsing: text) } catch {
            fail(section, key, field, error.description, fix: "write placeholders as {name}")
            return nil
        }
        checkPlaceholders(parsed.placeholders, section: section, key: key, field: field, placeholders: placeholders)
        return parsed
    }

    private mutating func checkPlaceholders(_ list: [Template.Placeholder], section: String, key: String, field: String, placeholders: Set<String>) {
        used.formUnion(list.map(\.name))
        for placeholder in list where !placeholders.contains(placeholder.name) {
            var fix = "use one of {hostname}, {zone}, {record_name}, {record_name_at}, {ip}, {ipv4}, {ipv6}, {record_type}, {ttl}, {setting.NAME} for a declared setting, {captured.NAME} for a value an earlier step captured"
            if let guess = NameSuggestion.closest(to: placeholder.name, in: Array(placeholders)) { fix = "did you mean {\(guess)}? Otherwise " + fix }
            if placeholder.name.hasPrefix("setting.") { fix = "declare [settings.\(placeholder.name.dropFirst(8))] or " + fix }
            fail(section, key, field, "unknown placeholder {\(placeholder.name)}", fix: fix)
        }
    }

    private mutating func pairs(_ node: TOMLNode?, section: String, key: String, field: String, placeholders: Set<String>) -> [(String, Template)] {
        guard let node else { return [] }
        guard let table = node.table else {
            fail(section, key, field, "must be a table of strings", fix: "write \(key) = { name = \"{placeholder}\" }")
            return []
        }
        var result: [(String, Template)] = []
        for name in table.keys.sorted() {
            // `false` removes an inherited entry (see based_on in providers/README.md).
            if table[name] == .bool(false) { continue }
            guard let text = table[name]?.string else {
                fail(section, key, "\(field).\(name)", "must be a string, not \(table[name]!.kindDescription)", fix: "quote the value: \(name) = \"…\"")
                continue
            }
            if let parsed = template(text, section: section, key: key, field: "\(field).\(name)", placeholders: placeholders) {
                result.append((name, parsed))
            }
        }
        return result
    }

    private mutating func parseStep(_ table: [String: TOMLNode], name: String, section: String, placeholders: Set<String>,
                                    stepNames: [String], isLast: Bool) -> ProviderStep? {
        let label = "step \"\(name)\""
        checkKeys(table, Self.stepKeys, section: section, field: label)
        let before = errors.count
        let method = (string(table, "method", section: section, field: "\(label).method") ?? "GET").uppercased()
        if !Self.methods.contains(method) {
            fail(section, "method", "\(label).method", "unknown method \"\(method)\"", fix: "use one of \(Self.methods.joined(separator: ", "))")
        }
        let path = string(table, "path", section: section, field: "\(label).path")
        let url = string(table, "url", section: section, field: "\(label).url")
        if path == nil && url == nil {
            fail(section, nil, "\(label).path", "is missing", fix: "add path = \"/nic/update\" (appended to base_url or the server setting), or url = \"{setting.update_url}\"")
        }
        if path != nil && url != nil {
            fail(section, "url", "\(label).url", "path and url are both given", fix: "keep one: path is appended to the base URL, url is a whole address")
        }
        if let path, !path.hasPrefix("/") {
            fail(section, "path", "\(label).path", "\"\(path)\" does not start with /", fix: "write path = \"/\(path)\"")
        }
        let pathTemplate = path.flatMap { template($0, section: section, key: "path", field: "\(label).path", placeholders: placeholders) }
        var urlTemplate: Template?
        if let url {
            urlTemplate = template(url, section: section, key: "url", field: "\(label).url", placeholders: placeholders)
            if let parsed = urlTemplate, case .literal(let head)? = parsed.parts.first, !head.contains("{") {
                let probe = String(head.prefix { $0 != "?" })
                if head.contains("://"), !Self.validURL(probe.hasSuffix("/") || probe.split(separator: "/").count > 2 ? probe : probe) {
                    fail(section, "url", "\(label).url", "\"\(url)\" is not a valid URL", fix: "write \"https://host/path\"")
                }
            }
        }
        let query = pairs(table["query"], section: section, key: "query", field: "\(label).query", placeholders: placeholders)
        let headers = pairs(table["headers"], section: section, key: "headers", field: "\(label).headers", placeholders: placeholders)

        var auth: ProviderStep.Auth?
        if let node = table["auth"] {
            if let authTable = node.table {
                checkKeys(authTable, ["type", "username", "password", "token", "service"], section: section, field: "\(label).auth")
                let kind = authTable["type"]?.string
                let field = "\(label).auth"
                func templ(_ key: String, _ parser: inout ProviderDefinitionParser) -> Template? {
                    guard let text = authTable[key]?.string else {
                        parser.fail(section, "auth", "\(field).\(key)", "is missing", fix: "add \(key) = \"{setting.\(key == "username" ? "username" : key == "password" ? "password" : "token")}\"")
                        return nil
                    }
                    return parser.template(text, section: section, key: "auth", field: "\(field).\(key)", placeholders: placeholders)
                }
                switch kind {
                case "basic":
                    if let user = templ("username", &self), let password = templ("password", &self) { auth = .basic(user: user, password: password) }
                case "bearer":
                    if let token = templ("token", &self) { auth = .bearer(token) }
                case "tc3":
                    let service = authTable["service"]?.string ?? ""
                    if service.isEmpty || !service.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) {
                        fail(section, "auth", "\(field).service", "a tc3 signature needs the service name", fix: "add service = \"dnspod\" (the host's first label)")
                    }
                    if let id = templ("username", &self), let key = templ("password", &self) { auth = .tc3(secretID: id, secretKey: key, service: service) }
                default:
                    fail(section, "auth", "\(field).type", "unknown auth type \(kind.map { "\"\($0)\"" } ?? "(missing)")", fix: "use type = \"basic\" (username, password), \"bearer\" (token) or \"tc3\" (username = SecretId, password = SecretKey, service); other schemes go in headers")
                }
            } else {
                fail(section, "auth", "\(label).auth", "must be a table", fix: "write auth = { type = \"basic\", username = \"{setting.username}\", password = \"{setting.password}\" }")
            }
        }

        var body: ProviderStep.Body?
        let bodyKeys = ["form", "json", "body"].filter { table[$0] != nil }
        if bodyKeys.count > 1 {
            fail(section, bodyKeys[1], "\(label).\(bodyKeys[1])", "a step has one body but \(bodyKeys.joined(separator: " and ")) are given", fix: "keep one of form, json, body")
        } else if let key = bodyKeys.first {
            switch key {
            case "form":
                body = .form(pairs(table["form"], section: section, key: "form", field: "\(label).form", placeholders: placeholders))
            case "json":
                let node = table["json"]!
                checkJSONTemplates(node, section: section, field: "\(label).json", placeholders: placeholders)
                body = .json(node)
            default:
                if let text = string(table, "body", section: section, field: "\(label).body"),
                   let parsed = template(text, section: section, key: "body", field: "\(label).body", placeholders: placeholders) {
                    body = .raw(parsed, contentType: string(table, "content_type", section: section, field: "\(label).content_type") ?? "text/plain")
                }
            }
        }
        if method == "GET", body != nil {
            fail(section, bodyKeys.first, "\(label).\(bodyKeys.first ?? "body")", "a GET request has no body", fix: "use method = \"POST\" (or PUT/PATCH), or move the values into query")
        }

        var captures: [(String, JSONPath)] = []
        if let node = table["capture"] {
            if let captureTable = node.table {
                for key in captureTable.keys.sorted() {
                    guard let text = captureTable[key]?.string else {
                        fail(section, "capture", "\(label).capture.\(key)", "must be a JSON path string", fix: "write \(key) = \"result[0].id\""); continue
                    }
                    do {
                        let path = try JSONPath(parsing: text)
                        checkPlaceholders(path.placeholders, section: section, key: "capture", field: "\(label).capture.\(key)", placeholders: placeholders)
                        captures.append((key, path))
                    } catch {
                        fail(section, "capture", "\(label).capture.\(key)", error.description, fix: "write a path like result[0].id or records[name={hostname}].id")
                    }
                }
            } else {
                fail(section, "capture", "\(label).capture", "must be a table", fix: "write capture = { zone_id = \"result[0].id\" }")
            }
        }
        let ruleScope = placeholders.union(captures.map { "captured.\($0.0)" })
        let rules = parseRules(table["rule"], section: section, fieldPrefix: "\(label).rule", placeholders: ruleScope, stepNames: stepNames)

        var success: DDNSOutcome? = isLast ? .error : nil
        if let text = string(table, "success", section: section, field: "\(label).success") {
            if text == "next" { success = nil }
            else if let outcome = DDNSOutcome(providerAnswer: text) { success = outcome }
            else { fail(section, "success", "\(label).success", "unknown outcome \"\(text)\"", fix: "use next or one of \(DDNSOutcome.answerNames.joined(separator: ", "))") }
        }
        var required: [String] = []
        if let node = table["require"] {
            let names = node.array?.compactMap(\.string) ?? []
            if names.isEmpty || names.count != node.array?.count {
                fail(section, "require", "\(label).require", "must be an array of placeholder names", fix: "write require = [\"ipv4\"]")
            }
            for name in names where !placeholders.contains(name) {
                fail(section, "require", "\(label).require", "unknown placeholder name \"\(name)\"", fix: "use names such as ipv4, zone, setting.token (without braces)")
            }
            used.formUnion(names)
            required = names
        }
        guard errors.count == before, let _ = pathTemplate ?? urlTemplate else { return nil }
        return ProviderStep(name: name, method: method, path: pathTemplate?.text, url: urlTemplate?.text, query: query, headers: headers,
                            auth: auth, body: body, captures: captures, rules: rules, successOutcome: success, required: required, section: section)
    }

    private mutating func checkJSONTemplates(_ node: TOMLNode, section: String, field: String, placeholders: Set<String>) {
        switch node {
        case .string(let text):
            _ = template(text, section: section, key: "json", field: field, placeholders: placeholders)
        case .array(let items):
            for (index, item) in items.enumerated() { checkJSONTemplates(item, section: section, field: "\(field)[\(index)]", placeholders: placeholders) }
        case .table(let members):
            for (key, value) in members { checkJSONTemplates(value, section: section, field: "\(field).\(key)", placeholders: placeholders) }
        default: break
        }
    }

    private mutating func parseRules(_ node: TOMLNode?, section: String, fieldPrefix: String, placeholders: Set<String>, stepNames: [String]) -> [ResponseRule] {
        guard let node else { return [] }
        guard let items = node.array else {
            fail(section, "rule", fieldPrefix, "must be an array of tables", fix: "write each rule as [[rule]] or [[step.rule]]")
            return []
        }
        var rules: [ResponseRule] = []
        for (index, item) in items.enumerated() {
            let ruleSection = section.isEmpty ? "rule#\(index)" : "\(section).rule#\(index)"
            let field = "\(fieldPrefix)[\(index)]"
            guard let table = item.table else { continue }
            checkKeys(table, Self.ruleKeys, section: ruleSection, field: field)
            var rule = ResponseRule()
            if let status = table["status"] {
                let list = status.array ?? [status]
                for element in list {
                    if let code = element.int, (100...599).contains(code) { rule.status.append(.exact(code)) }
                    else if let text = element.string, let pattern = Self.statusPattern(text) { rule.status.append(pattern) }
                    else { fail(ruleSection, "status", "\(field).status", "\(element.kindDescription) is not a status", fix: "write a code (200), a class (\"4xx\"), a range (\"500-599\") or an array of them") }
                }
            }
            rule.bodyPrefix = string(table, "body_prefix", section: ruleSection, field: "\(field).body_prefix")
            rule.bodyContains = string(table, "body_contains", section: ruleSection, field: "\(field).body_contains")
            rule.bodyEquals = string(table, "body_equals", section: ruleSection, field: "\(field).body_equals")
            if let regex = string(table, "body_regex", section: ruleSection, field: "\(field).body_regex") {
                if (try? NSRegularExpression(pattern: regex)) == nil {
                    fail(ruleSection, "body_regex", "\(field).body_regex", "\"\(regex)\" is not a valid regular expression", fix: "check brackets and escapes (TOML literal strings '…' need no doubled backslashes)")
                }
                rule.bodyRegex = regex
            }
            rule.bodyEmpty = table["body_empty"]?.bool
            if let path = string(table, "json", section: ruleSection, field: "\(field).json") {
                do {
                    let parsed = try JSONPath(parsing: path)
                    checkPlaceholders(parsed.placeholders, section: ruleSection, key: "json", field: "\(field).json", placeholders: placeholders)
                    rule.jsonPath = parsed
                } catch { fail(ruleSection, "json", "\(field).json", error.description, fix: "write a path like result[0].content") }
            }
            for key in ["json_equals", "json_contains"] {
                guard let node = table[key] else { continue }
                let text: String
                switch node {
                case .string(let s): text = s
                case .int(let i): text = String(i)
                case .bool(let b): text = b ? "true" : "false"
                default: fail(ruleSection, key, "\(field).\(key)", "must be a string, number or boolean", fix: "write \(key) = \"{ip}\""); continue
                }
                let parsed = template(text, section: ruleSection, key: key, field: "\(field).\(key)", placeholders: placeholders)
                if key == "json_equals" { rule.jsonEquals = parsed } else { rule.jsonContains = parsed }
            }
            rule.jsonExists = table["json_exists"]?.bool
            if rule.jsonPath == nil, rule.jsonEquals != nil || rule.jsonExists != nil || rule.jsonContains != nil {
                fail(ruleSection, nil, "\(field).json", "json_equals/json_exists/json_contains need a json path", fix: "add json = \"path.to.field\"")
            }
            if let text = string(table, "outcome", section: ruleSection, field: "\(field).outcome") {
                if let outcome = DDNSOutcome(providerAnswer: text) { rule.outcome = outcome }
                else {
                    var fix = "use one of \(DDNSOutcome.answerNames.joined(separator: ", "))"
                    if let guess = NameSuggestion.closest(to: text, in: DDNSOutcome.answerNames) { fix = "did you mean \"\(guess)\"? " + fix }
                    fail(ruleSection, "outcome", "\(field).outcome", "unknown outcome \"\(text)\"", fix: fix)
                }
            }
            if let then = string(table, "then", section: ruleSection, field: "\(field).then") {
                if stepNames.contains(then) { rule.then = then }
                else { fail(ruleSection, "then", "\(field).then", "no step is named \"\(then)\"", fix: "use one of \(stepNames.joined(separator: ", "))") }
            }
            if table["outcome"] == nil && table["then"] == nil {
                fail(ruleSection, nil, "\(field)", "says neither outcome nor then", fix: "add outcome = \"updated\" (or another outcome) or then = \"step name\"")
            } else if table["outcome"] != nil && table["then"] != nil {
                fail(ruleSection, "then", "\(field)", "has both outcome and then", fix: "keep one")
            }
            if let node = table["retry_after"] {
                if let parsed = Self.boundedDuration(node) { rule.retryAfter = parsed }
                else {
                    fail(ruleSection, "retry_after", "\(field).retry_after", "is not a duration from 0s to \(DurationText.format(Self.maxDuration))",
                         fix: "write \(DurationText.help)")
                }
            }
            rule.message = string(table, "message", section: ruleSection, field: "\(field).message")
            rules.append(rule)
        }
        return rules
    }

    static func statusPattern(_ text: String) -> ResponseRule.StatusPattern? {
        let lower = text.lowercased()
        if lower.count == 3, lower.hasSuffix("xx"), let digit = Int(lower.prefix(1)), (1...5).contains(digit) {
            return .range(digit * 100, digit * 100 + 99)
        }
        let bounds = lower.split(separator: "-")
        if bounds.count == 2, let low = Int(bounds[0]), let high = Int(bounds[1]), low <= high { return .range(low, high) }
        if let code = Int(lower), (100...599).contains(code) { return .exact(code) }
        return nil
    }
}
