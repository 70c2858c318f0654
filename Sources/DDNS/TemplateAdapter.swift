import Config
import Foundation
import History
import InternetAddress

/// What every adapter needs from its surroundings.
public struct DDNSEnvironment: Sendable {
    public var transport: any DDNSHTTPTransport
    /// Sent on every request (docs/ddns-policy.md#user-agent): identifies the program, its version and a contact.
    public var userAgent: String
    /// Per HTTP request.
    public var timeout: Duration
    /// The time used in request signatures.
    public var now: @Sendable () -> Date

    public init(transport: any DDNSHTTPTransport = URLSessionTransport(), userAgent: String = DDNSUserAgent.default, timeout: Duration = .seconds(30),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.transport = transport
        self.userAgent = userAgent
        self.timeout = timeout
        self.now = now
    }
}

public enum DDNSUserAgent {
    /// `homeport/<version> <contact>`, the form No-IP and Dyn require of update clients. There is
    /// no project address to name yet; "self-hosted" says who runs it without inventing one.
    public static func make(version: String, contact: String = "self-hosted") -> String {
        "homeport/\(version) \(contact)"
    }

    public static let `default` = make(version: "0.1.0")
}

/// Runs a provider file's steps: renders requests, sends them, classifies the answers.
public struct TemplateAdapter: DDNSAdapter {
    public let provider: ProviderDefinition
    public let environment: DDNSEnvironment

    public init(provider: ProviderDefinition, environment: DDNSEnvironment) {
        self.provider = provider
        self.environment = environment
    }

    public func update(_ request: DDNSUpdateRequest) async -> DDNSUpdateResult {
        let resolved: ResolvedSettings
        switch ResolvedSettings.resolve(provider: provider, request: request) {
        case .success(let settings): resolved = settings
        case .failure(let problem): return .all(request, problem.outcome, problem.message)
        }
        let redactor = resolved.redactor
        var records: [DDNSRecordResult] = []
        var families: [IPFamily] = []
        for family in IPFamily.allCases where request.address(family) != nil {
            if provider.families.contains(family) {
                families.append(family)
            } else {
                records.append(DDNSRecordResult(family: family, outcome: .hostError,
                                                message: "\(provider.displayName) does not support \(family.rawValue) records; set \(family.rawValue) = false for this entry"))
            }
        }
        if families.isEmpty && records.isEmpty {
            return .all(request, .error, "no address to publish")
        }
        switch provider.requests {
        case .perFamily:
            for family in families {
                var result = await run(request, family: family, families: [family], settings: resolved)
                result.message = redactor.redact(result.message)
                records.append(result)
            }
        case .dualStack:
            if let first = families.first {
                let result = await run(request, family: first, families: families, settings: resolved)
                for family in families {
                    var copy = result
                    copy.family = family
                    copy.message = redactor.redact(copy.message)
                    records.append(copy)
                }
            }
        }
        return DDNSUpdateResult(records: records.sorted { $0.family < $1.family })
    }

    /// One run of the steps for one family (or for both in dual-stack mode).
    private func run(_ request: DDNSUpdateRequest, family: IPFamily, families: [IPFamily], settings: ResolvedSettings) async -> DDNSRecordResult {
        var redactor = settings.redactor
        var values = settings.placeholderValues
        values["hostname"] = request.hostname
        values["family"] = family.rawValue
        values["record_type"] = family.recordType.description
        if let ttl = request.ttl ?? settings.values["ttl"].flatMap(Int.init) ?? provider.defaultTTL { values["ttl"] = String(ttl) }
        for item in families { values[item.rawValue] = request.address(item)?.description }
        values["ip"] = families.compactMap { request.address($0)?.description }.joined(separator: ",")
        if let zone = settings.values["zone"], !zone.isEmpty {
            let host = request.hostname.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
            let zoneName = zone.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
            values["zone"] = zoneName
            if host == zoneName {
                values["record_name"] = ""
                values["record_name_at"] = "@"
            } else if host.hasSuffix("." + zoneName) {
                let label = String(host.dropLast(zoneName.count + 1))
                values["record_name"] = label
                values["record_name_at"] = label
            } else {
                return DDNSRecordResult(family: family, outcome: .hostError,
                                        message: "hostname \(request.hostname) is not inside zone \(zone); set zone to the domain that contains it")
            }
        }

        var index = 0
        var jumps = 0
        while index < provider.steps.count {
            let step = provider.steps[index]
            let httpRequest: DDNSHTTPRequest
            do {
                httpRequest = try RequestRenderer.render(step, provider: provider, family: family, values: values,
                                                         server: settings.values["server"], environment: environment, redactor: &redactor)
            } catch {
                return DDNSRecordResult(family: family, outcome: .hostError, message: redactor.redact("cannot build the \(step.name) request: \(error.description)"))
            }
            let response: DDNSHTTPResponse
            do {
                response = try await environment.transport.send(httpRequest)
            } catch {
                let outcome: DDNSOutcome = error.isTransientAtProvider ? .retryLater : .error
                return DDNSRecordResult(family: family, outcome: outcome, message: redactor.redact("\(step.name): \(error.description)"))
            }
            let json = JSONValue.parse(response.body)
            if let json {
                for (name, path) in step.captures {
                    if let value = path.evaluate(json, values: values)?.scalarText { values["captured.\(name)"] = value }
                }
            }
            let verdict = ResponseClassifier.classify(response, json: json, rules: step.rules + provider.rules, values: values)
            let excerpt = redactor.excerpt(response.body)
            switch verdict {
            case .rule(let rule):
                if let then = rule.then, let target = provider.steps.firstIndex(where: { $0.name == then }) {
                    jumps += 1
                    if jumps > 16 { return DDNSRecordResult(family: family, outcome: .error, message: "the provider file's steps loop") }
                    index = target
                    continue
                }
                let outcome = rule.outcome ?? .error
                return finish(family, outcome, rule.message, response, excerpt, minimum: rule.retryAfter, redactor: redactor)
            case .unmatched:
                if (200...299).contains(response.status) {
                    if let outcome = step.successOutcome {
                        let note = outcome == .error ? "unrecognised answer" : nil
                        return finish(family, outcome, note, response, excerpt, minimum: nil, redactor: redactor)
                    }
                    index += 1
                    continue
                }
                let outcome: DDNSOutcome
                switch response.status {
                case 401, 403: outcome = .authError
                case 429, 500...599: outcome = .retryLater
                default: outcome = .error
                }
                return finish(family, outcome, nil, response, excerpt, minimum: nil, redactor: redactor)
            }
        }
        return DDNSRecordResult(family: family, outcome: .error, message: "the provider file's last step gave no outcome")
    }

    private func finish(_ family: IPFamily, _ outcome: DDNSOutcome, _ note: String?, _ response: DDNSHTTPResponse, _ excerpt: String,
                        minimum: Duration?, redactor: SecretRedactor) -> DDNSRecordResult {
        var message = "HTTP \(response.status)"
        if let note { message += ", \(note)" }
        if !excerpt.isEmpty { message += ": \(excerpt)" }
        var retry = minimum
        if outcome == .retryLater || outcome == .error, let header = response.headers["retry-after"], let seconds = RetryAfter.parse(header) {
            retry = max(retry ?? .zero, seconds)
        }
        return DDNSRecordResult(family: family, outcome: outcome, message: redactor.redact(message), retryAfter: retry)
    }
}

enum RetryAfter {
    /// Seconds, or an HTTP date; at most a day so a broken header cannot park a record forever.
    static func parse(_ text: String, now: Date = Date()) -> Duration? {
        let trimmed = text.trimmingSpaces()
        if let seconds = Int(trimmed), seconds >= 0 { return .seconds(min(seconds, 86400)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        if let date = formatter.date(from: trimmed) {
            return .seconds(min(86400, max(0, Int(date.timeIntervalSince(now).rounded(.up)))))
        }
        return nil
    }
}
