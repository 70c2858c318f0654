/// One `[[ddns]]` record set: which provider, which hostnames, and the provider's own settings
/// (credentials among them, which may be `env:`/`file:` references).
public struct DDNSEntry: Sendable, Equatable {
    public var provider: String
    public var hostnames: [String]
    public var ipv4 = true
    public var ipv6 = false
    public var ttl: Int?
    /// For IPv6: a fixed interface identifier put after the home's current prefix, so the
    /// record can name another machine on the LAN (`::1234`).
    public var ipv6Suffix: String?
    public var ipv6PrefixLength = 64
    /// How an update is confirmed in DNS: `system` (the system resolver), `authoritative` (the
    /// zone's primary server), `none`, or a server address such as `"203.0.113.53:53"`.
    public var verify = "system"
    /// Provider-specific settings, checked against the provider definition by the DDNS module.
    public var settings: [String: SettingValue] = [:]
    /// Line of the `[[ddns]]` header, for errors the DDNS module reports later.
    public var line: Int?

    public init(provider: String, hostnames: [String]) {
        self.provider = provider
        self.hostnames = hostnames
    }

    public static let fixedKeys = ["hostnames", "ipv4", "ipv6", "ipv6_prefix_length", "ipv6_suffix", "provider", "ttl", "verify"]

    /// Setting names that hold credentials; their values never appear in logs or output.
    /// A key's name or algorithm (`key_name`, `key_algorithm`: RFC 8945 section 4.2 sends both in
    /// clear in every TSIG record) labels the key and is not one.
    public static func isSecretSetting(_ name: String) -> Bool {
        let lowered = name.lowercased()
        if lowered.hasSuffix("_name") || lowered.hasSuffix("_algorithm") { return false }
        return ["password", "token", "secret", "key", "credential"].contains { lowered.contains($0) }
    }
}

/// A provider setting: a plain value, or a secret that may live outside the config file.
public enum SettingValue: Sendable, Equatable, CustomStringConvertible {
    case plain(String)
    case secret(SecretValue)

    public var description: String {
        switch self {
        case .plain(let value): return value
        case .secret(let secret): return secret.description
        }
    }
}
