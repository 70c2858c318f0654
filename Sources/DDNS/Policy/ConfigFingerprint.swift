import Config
import Foundation
import InternetAddress
import Sodium

/// A stable digest of one record's configuration: provider, hostname, family, TTL, IPv6 suffix and
/// prefix length, and every provider setting with secrets resolved. The policy compares it with the
/// stored one to notice that the user changed something (a new password lifts an `auth_error` stop)
/// without ever storing the settings themselves.
///
/// BLAKE2b-256 (libsodium `crypto_generichash`), hex. The digest does not reveal a secret, but an
/// unkeyed digest of a guessable password can be confirmed by trying guesses against it; pass a
/// `key` kept outside the history (32 bytes from the daemon's key material) to rule that out too.
public enum ConfigFingerprint {
    public static let version = "homeport-ddns-record-config-v1"

    /// The digest from settings whose secrets are already resolved (`resolvedSettings` replaces
    /// `entry.settings` entirely; pass every setting, plain ones included).
    public static func digest(entry: DDNSEntry, hostname: String, family: IPFamily,
                              resolvedSettings: [String: String], key: [UInt8]? = nil) -> String {
        var fields: [(String, String)] = [
            ("provider", entry.provider),
            ("hostname", hostname.lowercased()),
            ("family", family.rawValue),
            ("ttl", entry.ttl.map(String.init) ?? ""),
            ("ipv6_suffix", family == .ipv6 ? (entry.ipv6Suffix ?? "") : ""),
            ("ipv6_prefix_length", family == .ipv6 && entry.ipv6Suffix != nil ? String(entry.ipv6PrefixLength) : ""),
        ]
        for name in resolvedSettings.keys.sorted() {
            fields.append(("setting." + name, resolvedSettings[name] ?? ""))
        }
        return digest(fields: fields, key: key)
    }

    /// The digest, resolving `env:`/`file:` secrets from `environment` and the file system.
    public static func digest(entry: DDNSEntry, hostname: String, family: IPFamily,
                              environment: [String: String], key: [UInt8]? = nil) throws(SecretValue.ResolveError) -> String {
        var resolved: [String: String] = [:]
        for (name, value) in entry.settings {
            switch value {
            case .plain(let text): resolved[name] = text
            case .secret(let secret): resolved[name] = try secret.resolve(environment: environment)
            }
        }
        return digest(entry: entry, hostname: hostname, family: family, resolvedSettings: resolved, key: key)
    }

    /// Each field as length-prefixed name and value, so no two different configurations encode
    /// to the same bytes (`a=bc` vs `ab=c`).
    static func digest(fields: [(String, String)], key: [UInt8]?) -> String {
        var input: [UInt8] = []
        func append(_ text: String) {
            let bytes = Array(text.utf8)
            var length = UInt64(bytes.count).bigEndian
            withUnsafeBytes(of: &length) { input.append(contentsOf: $0) }
            input.append(contentsOf: bytes)
        }
        append(version)
        for (name, value) in fields {
            append(name)
            append(value)
        }
        // libsodium takes 16...64 key bytes; any other key is first hashed to 32.
        let usableKey = key.flatMap { key in key.isEmpty ? nil : BLAKE2b.keyLengths.contains(key.count) ? key : BLAKE2b.hash(key) }
        return Hex.encode(BLAKE2b.hash(input, length: 32, key: usableKey))
    }
}
