import Config
import DNSWire
import Foundation
import InternetAddress

/// Turns `[[ddns]]` entries and the current public addresses into the records of one DDNS
/// round: which provider adapter sends what, how the result is checked in DNS, and which rules
/// the policy applies. Entries that cannot work (unknown provider, missing setting, missing
/// secret) become problems with a sentence that says how to fix them.
public struct DDNSRoundPlanner: Sendable {
    public struct Addresses: Sendable, Equatable {
        public var ipv4: IPAddress?
        public var ipv6: IPAddress?

        public init(ipv4: IPAddress? = nil, ipv6: IPAddress? = nil) {
            self.ipv4 = ipv4
            self.ipv6 = ipv6
        }
    }

    public struct Problem: Sendable, Codable, Equatable, CustomStringConvertible {
        /// What the problem depends on: the entry itself (wrong everywhere), a secret that cannot
        /// be read in this process's environment (the daemon's may differ), or the current address.
        public enum Kind: String, Sendable, Codable {
            case configuration, secret, address
        }

        public var provider: String
        public var hostname: String?
        public var message: String
        public var kind: Kind
        /// The entry's position among the `[[ddns]]` entries (0 = the first) and its line.
        public var entry: Int
        public var line: Int?

        public var description: String {
            "[[ddns]] \(provider)" + (hostname.map { " \($0)" } ?? "") + ": \(message)"
        }
    }

    /// A record the daemon keeps up to date whenever the public address of its family is known.
    public struct Target: Sendable, Equatable, CustomStringConvertible {
        public var provider: String
        public var hostname: String
        public var family: IPFamily
        public var entry: Int

        public var description: String { "\(provider) \(hostname) \(family.recordType)" }
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

    /// Which records the entries make, before any address is known, and what stops the others:
    /// what `homeport config check` prints, decided by the same steps as every round's `plan`.
    public func targets(_ entries: [DDNSEntry]) -> (targets: [Target], problems: [Problem]) {
        let (prepared, problems) = prepare(entries)
        return (prepared.flatMap(\.targets), problems)
    }

    public func plan(_ entries: [DDNSEntry], addresses: Addresses) -> (records: [RoundRecord], problems: [Problem]) {
        let (prepared, entryProblems) = prepare(entries)
        var records: [RoundRecord] = []
        var problems = entryProblems
        for item in prepared {
            let entry = item.entry
            for target in item.targets {
                let (hostname, family) = (target.hostname, target.family)
                func problem(_ message: String, _ kind: Problem.Kind) -> Problem {
                    Problem(provider: entry.provider, hostname: hostname, message: message, kind: kind, entry: target.entry, line: entry.line)
                }
                let address: IPAddress
                do {
                    guard let desired = try desiredAddress(entry, family: family, addresses: addresses) else { continue }
                    address = desired
                } catch {
                    // The record cannot be sent for this prefix; saying nothing would leave
                    // the AAAA record stale without a trace.
                    problems.append(problem("no AAAA update for the prefix of \(addresses.ipv6?.description ?? "?"): \(error.description)", .address))
                    continue
                }
                let fingerprint: String
                do {
                    fingerprint = try ConfigFingerprint.digest(entry: entry, hostname: hostname, family: family,
                                                               environment: environment, key: fingerprintKey)
                } catch {
                    problems.append(problem(error.description, .secret))
                    continue
                }
                let verify = entry.verify
                let attempt = Self.attempt(adapter: item.adapter, hostname: hostname, family: family, ttl: entry.ttl,
                                           settings: entry.settings, environment: environment)
                let confirm: (@Sendable (String, IPAddress) async -> RoundConfirmResult)? = verify == "none" ? nil : { @Sendable hostname, address in
                    await Self.confirm(hostname: hostname, address: address, verify: verify)
                }
                records.append(RoundRecord(provider: entry.provider, hostname: hostname, fingerprint: fingerprint,
                                           desiredAddress: address, rules: item.rules, secrets: item.secrets, attempt: attempt, confirm: confirm))
            }
        }
        return (records, problems)
    }

    /// An entry that passed every check that needs no address: its provider, rules, resolved
    /// secrets and the records it makes.
    struct PreparedEntry {
        var entry: DDNSEntry
        var adapter: any DDNSAdapter
        var rules: DDNSPolicyRules
        var secrets: [String]
        var targets: [Target]
    }

    /// The checks every round and `config check` share: a provider that loads, settings it
    /// knows, secrets that resolve here, and families the provider takes. Every problem of every
    /// entry is reported, not only the first.
    func prepare(_ entries: [DDNSEntry]) -> (entries: [PreparedEntry], problems: [Problem]) {
        var prepared: [PreparedEntry] = []
        var problems: [Problem] = []
        for (index, entry) in entries.enumerated() {
            let (ready, entryProblems) = prepare(entry, index: index)
            if let ready { prepared.append(ready) }
            problems += entryProblems
        }
        return (prepared, problems)
    }

    private func prepare(_ entry: DDNSEntry, index: Int) -> (PreparedEntry?, [Problem]) {
        func problem(_ message: String, hostname: String? = nil, _ kind: Problem.Kind = .configuration) -> Problem {
            Problem(provider: entry.provider, hostname: hostname, message: message, kind: kind, entry: index, line: entry.line)
        }
        // Secrets are looked at whatever else is wrong, so one check shows every problem.
        var secrets: [String] = []
        var secretProblems: [Problem] = []
        for case (let key, .secret(let secret)) in entry.settings.sorted(by: { $0.key < $1.key }) {
            do {
                secrets.append(try secret.resolve(environment: environment))
            } catch {
                // A file that is missing for everyone is a mistake in the entry; an unset
                // variable or an unreadable file may be fine for the daemon's environment and user.
                secretProblems.append(problem("'\(key)': \(error.description)", error.scope == .everywhere ? .configuration : .secret))
            }
        }
        guard let provider = registry.catalog.provider(entry.provider), let adapter = registry.adapter(for: entry.provider) else {
            // A provider whose file does not load: say why, with the file's own problems.
            let fileProblems = registry.catalog.errors.filter { ($0.file as NSString).lastPathComponent == "\(entry.provider).toml" }
            var message: String
            if !fileProblems.isEmpty {
                message = "the provider file for '\(entry.provider)' has errors: " + fileProblems.map(\.description).joined(separator: "; ")
            } else {
                message = registry.catalog.unknownProviderMessage(entry.provider)
                if let guess = NameSuggestion.closest(to: entry.provider, in: registry.catalog.names) { message += " (did you mean '\(guess)'?)" }
                message += "; `homeport providers list` shows them all"
            }
            return (nil, [problem(message)] + secretProblems)
        }
        let settingProblems = ProviderSettingsCheck.problems(provider: provider, settings: entry.settings).map { problem($0) }
        // A family the provider does not take stops only that family's records.
        var familyProblems: [Problem] = []
        var targets: [Target] = []
        for hostname in entry.hostnames {
            for family in IPFamily.allCases where wants(entry, family) {
                guard provider.families.contains(family) else {
                    familyProblems.append(problem("\(provider.displayName) does not take \(family.rawValue) records; set \(family.rawValue) = false",
                                            hostname: hostname))
                    continue
                }
                targets.append(Target(provider: entry.provider, hostname: hostname, family: family, entry: index))
            }
        }
        guard settingProblems.isEmpty, secretProblems.isEmpty else { return (nil, settingProblems + familyProblems + secretProblems) }
        let rules = DDNSPolicyRules(minimumInterval: provider.minInterval ?? DDNSPolicyRules.defaultMinimumInterval,
                                    refreshInterval: provider.refreshInterval)
        return (PreparedEntry(entry: entry, adapter: adapter, rules: rules, secrets: secrets, targets: targets), familyProblems)
    }

    static func attempt(adapter: any DDNSAdapter, hostname: String, family: IPFamily, ttl: Int?,
                        settings: [String: SettingValue], environment: [String: String]) -> @Sendable (IPAddress) async -> RoundAttemptResult {
        { address in
            let request = DDNSUpdateRequest(hostname: hostname, ipv4: family == .ipv4 ? address : nil, ipv6: family == .ipv6 ? address : nil,
                                            ttl: ttl, settings: settings, environment: environment)
            let result = await adapter.update(request)
            let record = result.records.first { $0.family == family } ?? result.records.first
            return RoundAttemptResult(outcome: record?.outcome ?? .error,
                                      message: record?.message ?? "the adapter returned no result", retryAfter: record?.retryAfter)
        }
    }

    func wants(_ entry: DDNSEntry, _ family: IPFamily) -> Bool {
        family == .ipv4 ? entry.ipv4 : entry.ipv6
    }

    func desiredAddress(_ entry: DDNSEntry, family: IPFamily, addresses: Addresses) throws(IPv6HostSuffix.Problem) -> IPAddress? {
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
    static func confirm(hostname: String, address: IPAddress, verify: String) async -> RoundConfirmResult {
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
            let seen = try await DNSLookup.addresses(of: hostname, family: address.family, server: server)
            return seen.contains(address) ? .confirmed : .mismatch(seen: seen)
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
