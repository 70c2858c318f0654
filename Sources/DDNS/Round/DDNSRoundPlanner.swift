import Config
import DNSWire
import Foundation

/// Turns `[[ddns]]` entries and the current public addresses into the records of one DDNS
/// round: which provider adapter sends what, how the result is checked in DNS, and which rules
/// the policy applies. Entries that cannot work (unknown provider, missing setting, missing
/// secret) become problems with a sentence that says how to fix them.
public struct DDNSRoundPlanner: Sendable {
    public struct Addresses: Sendable, Equatable {
        public var ipv4: String?
        public var ipv6: String?

        public init(ipv4: String? = nil, ipv6: String? = nil) {
            self.ipv4 = ipv4
            self.ipv6 = ipv6
        }
    }

    public struct Problem: Sendable, Codable, Equatable, CustomStringConvertible {
        public var provider: String
        public var hostname: String?
        public var message: String

        public var description: String {
            "[[ddns]] \(provider)" + (hostname.map { " \($0)" } ?? "") + ": \(message)"
        }
    }

    public let registry: DDNSAdapterRegistry
    public let environment: [String: String]
    /// Key for the configuration fingerprints kept in the history.
    public let fingerprintKey: [UInt8]?

    public init(registry: DDNSAdapterRegistry, environment: [String: String] = ProcessInfo.processInfo.environment,
                fingerprintKey: [UInt8]? = nil) {
        self.registry = registry
        self.environment = environment
        self.fingerprintKey = fingerprintKey
    }

    public func plan(_ entries: [DDNSEntry], addresses: Addresses) -> (records: [RoundRecord], problems: [Problem]) {
        var records: [RoundRecord] = []
        var problems: [Problem] = []
        for entry in entries {
            guard let provider = registry.catalog.provider(entry.provider), let adapter = registry.adapter(for: entry.provider) else {
                // A provider whose file does not load: say why, with the file's own problems.
                let fileProblems = registry.catalog.errors.filter { ($0.file as NSString).lastPathComponent == "\(entry.provider).toml" }
                let message: String
                if !fileProblems.isEmpty {
                    message = "the provider file for '\(entry.provider)' has errors: " + fileProblems.map(\.description).joined(separator: "; ")
                } else {
                    message = registry.catalog.unknownProviderMessage(entry.provider)
                }
                problems.append(Problem(provider: entry.provider, hostname: nil, message: message))
                continue
            }
            let settingProblems = ProviderSettingsCheck.problems(provider: provider, settings: entry.settings)
            if !settingProblems.isEmpty {
                problems += settingProblems.map { Problem(provider: entry.provider, hostname: nil, message: $0) }
                continue
            }
            var secrets: [String] = []
            var secretProblem: String?
            for case .secret(let secret) in entry.settings.values {
                do {
                    secrets.append(try secret.resolve(environment: environment))
                } catch {
                    secretProblem = error.description
                }
            }
            if let secretProblem {
                problems.append(Problem(provider: entry.provider, hostname: nil, message: secretProblem))
                continue
            }
            let rules = DDNSPolicyRules(minimumInterval: provider.minInterval ?? DDNSPolicyRules.defaultMinimumInterval,
                                        refreshInterval: provider.refreshInterval)
            for hostname in entry.hostnames {
                for family in DDNSFamily.allCases where wants(entry, family) {
                    guard provider.families.contains(family) else {
                        problems.append(Problem(provider: entry.provider, hostname: hostname,
                                                message: "\(provider.displayName) does not take \(family.rawValue) records; set \(family.rawValue) = false"))
                        continue
                    }
                    let address: String
                    do {
                        guard let desired = try desiredAddress(entry, family: family, addresses: addresses) else { continue }
                        address = desired
                    } catch {
                        // The record cannot be sent for this prefix; saying nothing would leave
                        // the AAAA record stale without a trace.
                        problems.append(Problem(provider: entry.provider, hostname: hostname,
                                                message: "no AAAA update for the prefix of \(addresses.ipv6 ?? "?"): \(error.description)"))
                        continue
                    }
                    let fingerprint: String
                    do {
                        fingerprint = try ConfigFingerprint.digest(entry: entry, hostname: hostname, family: family.rawValue,
                                                                   environment: environment, key: fingerprintKey)
                    } catch {
                        problems.append(Problem(provider: entry.provider, hostname: hostname, message: error.description))
                        continue
                    }
                    let verify = entry.verify
                    let attempt = Self.attempt(adapter: adapter, hostname: hostname, family: family, ttl: entry.ttl,
                                               settings: entry.settings, environment: environment)
                    let confirm: (@Sendable (String, String) async -> RoundConfirmResult)? = verify == "none" ? nil : { @Sendable hostname, address in
                        await Self.confirm(hostname: hostname, address: address, family: family, verify: verify)
                    }
                    records.append(RoundRecord(provider: entry.provider, hostname: hostname, family: family.rawValue, fingerprint: fingerprint,
                                               desiredAddress: address, rules: rules, secrets: secrets, attempt: attempt, confirm: confirm))
                }
            }
        }
        return (records, problems)
    }

    static func attempt(adapter: any DDNSAdapter, hostname: String, family: DDNSFamily, ttl: Int?,
                        settings: [String: SettingValue], environment: [String: String]) -> @Sendable (String) async -> RoundAttemptResult {
        { address in
            let request = DDNSUpdateRequest(hostname: hostname, ipv4: family == .ipv4 ? address : nil, ipv6: family == .ipv6 ? address : nil,
                                            ttl: ttl, settings: settings, environment: environment)
            let result = await adapter.update(request)
            let record = result.records.first { $0.family == family } ?? result.records.first
            return RoundAttemptResult(outcome: (record?.outcome ?? .error).rawValue,
                                      message: record?.message ?? "the adapter returned no result", retryAfter: record?.retryAfter)
        }
    }

    func wants(_ entry: DDNSEntry, _ family: DDNSFamily) -> Bool {
        family == .ipv4 ? entry.ipv4 : entry.ipv6
    }

    func desiredAddress(_ entry: DDNSEntry, family: DDNSFamily, addresses: Addresses) throws(IPv6HostSuffix.Problem) -> String? {
        switch family {
        case .ipv4:
            return addresses.ipv4
        case .ipv6:
            guard let address = addresses.ipv6 else { return nil }
            guard let suffix = entry.ipv6Suffix else { return address }
            return try IPv6HostSuffix.combine(address: address, suffix: suffix, prefixLength: entry.ipv6PrefixLength)
        }
    }

    /// Asks DNS whether the hostname now has the address: the system resolver, or the server
    /// given in the entry's `verify` (`"203.0.113.53"`, `"[2001:db8::53]:5353"`).
    static func confirm(hostname: String, address: String, family: DDNSFamily, verify: String) async -> RoundConfirmResult {
        let server: DNSLookup.Server
        if verify == "system" {
            server = .system
        } else if verify == "authoritative" {
            server = .authoritative(port: 53)
        } else {
            guard let parsed = try? DNSServerText.parse(verify) else {
                return .unavailable(reason: "verify = \"\(verify)\" is not a DNS server address")
            }
            server = .server(parsed)
        }
        do {
            let seen = try await DNSLookup.addresses(of: hostname, family: family == .ipv4 ? .ipv4 : .ipv6, server: server)
            // Compare parsed addresses: 2001:db8::7 and 2001:0db8:0:0::7 are the same.
            let canonical = { (text: String) in IPv6HostSuffix.parse(text).map(IPv6HostSuffix.format) ?? text }
            let wanted = canonical(address)
            return seen.contains(where: { canonical($0) == wanted }) ? .confirmed : .mismatch(seen: seen)
        } catch {
            return .unavailable(reason: "DNS lookup failed: \(error)")
        }
    }
}

/// `"203.0.113.53"`, `"203.0.113.53:5353"`, `"2001:db8::53"` or `"[2001:db8::53]:5353"`.
enum DNSServerText {
    static func parse(_ text: String) throws -> DNSServer {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            let port = rest.hasPrefix(":") ? Int(rest.dropFirst()) ?? 53 : 53
            return try DNSServer(host, port: port)
        }
        let parts = text.split(separator: ":")
        if parts.count == 2, let port = Int(parts[1]) { return try DNSServer(String(parts[0]), port: port) }
        return try DNSServer(text)
    }
}
