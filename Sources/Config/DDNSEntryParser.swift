enum DDNSEntryParser {
    /// The entry, or nil when it lacks what every entry needs (a provider and hostnames); every
    /// problem found is recorded in the reader's problems either way.
    static func parse(_ reader: TableReader) -> DDNSEntry? {
        let provider = reader.attempt { () throws(ConfigError) in try reader.requiredString("provider", example: "\"cloudflare\"") }
        let hostnames = reader.attempt { () throws(ConfigError) in try reader.stringArray("hostnames") }
        if !reader.has("hostnames") || hostnames?.isEmpty == true {
            reader.report(nil, "\(reader.title) needs 'hostnames', for example hostnames = [\"home.example.com\"]")
        }
        var entry = DDNSEntry(provider: provider ?? "", hostnames: hostnames ?? [])
        entry.line = reader.lines.line(ofSection: reader.section)
        entry.ipv4 = reader.bool("ipv4", or: true)
        entry.ipv6 = reader.bool("ipv6", or: false)
        entry.ttl = reader.attempt { () throws(ConfigError) in try reader.int("ttl", in: 1...86400) }
        if let suffix = reader.attempt({ () throws(ConfigError) in try reader.string("ipv6_suffix") }) {
            if suffix.hasPrefix("::"), suffix.count > 2, suffix.dropFirst(2).allSatisfy({ $0.isHexDigit || $0 == ":" }) {
                entry.ipv6Suffix = suffix
            } else {
                reader.report("ipv6_suffix", "'ipv6_suffix' in \(reader.title) must be an interface identifier such as \"::1234\" or \"::a:b:c:d\", not \"\(suffix)\"")
            }
            entry.ipv6PrefixLength = reader.attempt { () throws(ConfigError) in try reader.int("ipv6_prefix_length", in: 1...127) } ?? 64
        } else if reader.has("ipv6_prefix_length") && !reader.has("ipv6_suffix") {
            reader.report("ipv6_prefix_length", "'ipv6_prefix_length' in \(reader.title) only means something together with ipv6_suffix")
        }
        if let verify = reader.attempt({ () throws(ConfigError) in try reader.string("verify") }) {
            let isKeyword = ["system", "authoritative", "none"].contains(verify)
            let host = verify.hasPrefix("[") ? String(verify.dropFirst().prefix { $0 != "]" }) : String(verify.split(separator: ":").first ?? "")
            let isServer = !isKeyword && (ConfigLoader.isIPv4Literal(host) || host.contains(":"))
            if isKeyword || isServer {
                entry.verify = verify
            } else {
                reader.report("verify", "'verify' in \(reader.title) must be \"system\", \"authoritative\", \"none\" or a DNS server address such as \"203.0.113.53\" or \"[2001:db8::53]:53\", not \"\(verify)\"")
            }
        }
        if !entry.ipv4 && !entry.ipv6 {
            reader.report("ipv4", "\(reader.title) has both ipv4 and ipv6 turned off, so it would never update anything")
        }
        // The provider's own settings are checked against its definition by the DDNS module;
        // here they only need to be scalar values.
        for key in reader.table.keys.sorted() where !DDNSEntry.fixedKeys.contains(key) {
            guard let value = reader.table[key] else { continue }
            let text: String
            if let string = value.string {
                text = string
            } else if let bool = value.bool {
                text = bool ? "true" : "false"
            } else if let number = value.int {
                text = String(number)
            } else {
                reader.report(key, "'\(key)' in \(reader.title) must be a string, number or true/false, not \(TableReader.describe(value))")
                continue
            }
            entry.settings[key] = DDNSEntry.isSecretSetting(key) ? .secret(SecretValue(parsing: text)) : .plain(text)
        }
        guard provider != nil, !entry.hostnames.isEmpty else { return nil }
        return entry
    }
}
