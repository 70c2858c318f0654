enum DDNSEntryParser {
    static func parse(_ reader: TableReader) throws(ConfigError) -> DDNSEntry {
        let provider = try reader.requiredString("provider", example: "\"cloudflare\"")
        guard let hostnames = try reader.stringArray("hostnames"), !hostnames.isEmpty else {
            throw reader.error(nil, "\(reader.title) needs 'hostnames', for example hostnames = [\"home.example.com\"]")
        }
        var entry = DDNSEntry(provider: provider, hostnames: hostnames)
        entry.line = reader.lines.line(ofSection: reader.section)
        entry.ipv4 = try reader.bool("ipv4") ?? true
        entry.ipv6 = try reader.bool("ipv6") ?? false
        entry.ttl = try reader.int("ttl", in: 1...86400)
        if let suffix = try reader.string("ipv6_suffix") {
            guard suffix.hasPrefix("::"), suffix.count > 2, suffix.dropFirst(2).allSatisfy({ $0.isHexDigit || $0 == ":" }) else {
                throw reader.error("ipv6_suffix", "'ipv6_suffix' in \(reader.title) must be an interface identifier such as \"::1234\" or \"::a:b:c:d\", not \"\(suffix)\"")
            }
            entry.ipv6Suffix = suffix
            entry.ipv6PrefixLength = try reader.int("ipv6_prefix_length", in: 1...127) ?? 64
        } else if reader.has("ipv6_prefix_length") {
            throw reader.error("ipv6_prefix_length", "'ipv6_prefix_length' in \(reader.title) only means something together with ipv6_suffix")
        }
        if let verify = try reader.string("verify") {
            let isKeyword = ["system", "authoritative", "none"].contains(verify)
            let host = verify.hasPrefix("[") ? String(verify.dropFirst().prefix { $0 != "]" }) : String(verify.split(separator: ":").first ?? "")
            let isServer = !isKeyword && (ConfigLoader.isIPv4Literal(host) || host.contains(":"))
            guard isKeyword || isServer else {
                throw reader.error("verify", "'verify' in \(reader.title) must be \"system\", \"authoritative\", \"none\" or a DNS server address such as \"203.0.113.53\" or \"[2001:db8::53]:53\", not \"\(verify)\"")
            }
            entry.verify = verify
        }
        guard entry.ipv4 || entry.ipv6 else {
            throw reader.error("ipv4", "\(reader.title) has both ipv4 and ipv6 turned off, so it would never update anything")
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
                throw reader.error(key, "'\(key)' in \(reader.title) must be a string, number or true/false, not \(TableReader.describe(value))")
            }
            entry.settings[key] = DDNSEntry.isSecretSetting(key) ? .secret(SecretValue(parsing: text)) : .plain(text)
        }
        return entry
    }
}
