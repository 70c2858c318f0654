import Config
import History

/// The entry's settings checked against the provider file, with secrets resolved and a
/// redactor that knows every secret value.
struct ResolvedSettings: Sendable {
    var values: [String: String]
    var redactor: SecretRedactor

    var placeholderValues: [String: String] {
        Dictionary(uniqueKeysWithValues: values.map { ("setting.\($0.key)", $0.value) })
    }

    struct Problem: Error {
        var outcome: DDNSOutcome
        var message: String
    }

    static func resolve(provider: ProviderDefinition, request: DDNSUpdateRequest) -> Result<ResolvedSettings, Problem> {
        var values: [String: String] = [:]
        var redactor = SecretRedactor()
        for (name, setting) in request.settings {
            switch setting {
            case .plain(let text):
                values[name] = text
                if provider.setting(name)?.secret == true || DDNSEntry.isSecretSetting(name) { redactor.add(text) }
            case .secret(let secret):
                do {
                    let text = try secret.resolve(environment: request.environment)
                    values[name] = text
                    redactor.add(text)
                } catch {
                    // A missing env variable or file is fixed outside the config; the message names it, never a value.
                    return .failure(Problem(outcome: .hostError, message: "setting \(name): \(error.description)"))
                }
            }
        }
        for setting in provider.settings where values[setting.name] == nil {
            if let value = setting.defaultValue { values[setting.name] = value }
            else if setting.required {
                return .failure(Problem(outcome: .hostError, message: "setting \(setting.name) is required by \(provider.name) (\(setting.description))"))
            }
        }
        return .success(ResolvedSettings(values: values, redactor: redactor))
    }
}

/// Problems of one `[[ddns]]` entry's settings against its provider, for `homeport config check`
/// and daemon start-up: unknown settings (with a suggestion) and missing required ones.
public enum ProviderSettingsCheck {
    public static func problems(provider: ProviderDefinition, settings: [String: SettingValue]) -> [String] {
        var problems: [String] = []
        let known = provider.settings.map(\.name) + ["server"]
        for name in settings.keys.sorted() where !known.contains(name) {
            var text = "unknown setting '\(name)' for provider \(provider.name)"
            if let guess = NameSuggestion.closest(to: name, in: known) { text += " (did you mean '\(guess)'?)" }
            text += "; its settings are: \(known.sorted().joined(separator: ", "))"
            problems.append(text)
        }
        for setting in provider.settings where setting.required && setting.defaultValue == nil && settings[setting.name] == nil {
            problems.append("provider \(provider.name) needs setting '\(setting.name)': \(setting.description)")
        }
        if provider.kind == "template", provider.baseURL == nil, settings["server"] == nil, provider.setting("server") == nil {
            problems.append("provider \(provider.name) needs setting 'server' (the update server's base URL)")
        }
        return problems
    }
}

/// For Swift adapters outside this module (the RFC 2136 adapter the daemon registers): the
/// entry's settings with defaults applied and secrets resolved, plus a redactor that knows
/// every secret, or the outcome and message to return when a setting is missing or unreadable.
public enum DDNSSettingsResolver {
    public struct Resolved: Sendable {
        public var values: [String: String]
        public var redactor: SecretRedactor
    }

    public static func resolve(provider: ProviderDefinition, request: DDNSUpdateRequest) -> Result<Resolved, DDNSSettingsProblem> {
        switch ResolvedSettings.resolve(provider: provider, request: request) {
        case .success(let settings): return .success(Resolved(values: settings.values, redactor: settings.redactor))
        case .failure(let problem): return .failure(DDNSSettingsProblem(outcome: problem.outcome, message: problem.message))
        }
    }
}

public struct DDNSSettingsProblem: Error, Sendable {
    public var outcome: DDNSOutcome
    public var message: String
}
