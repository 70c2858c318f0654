import Foundation
import TOMLKit

/// Turns `homeport.toml` into a `HomeportConfig`, or into one error that names the file, the
/// line and what would be valid.
public enum ConfigLoader {
    public static let topLevelKeys = ["daemon", "ddns", "ip", "relay", "rendezvous", "router", "service"]

    /// Loads `path`. A missing or unreadable file is an error here; deciding that "no file at
    /// the default location" means "use the defaults" is the caller's business.
    public static func load(path: String) throws(ConfigError) -> HomeportConfig {
        guard access(path, F_OK) == 0 else {
            // EACCES: a directory above the file may not be searched, which says nothing
            // about whether the file is there.
            if errno == EACCES || errno == EPERM {
                throw ConfigError(file: path, line: nil, message: "permission denied: this user may not enter a directory above it; run as the user that owns it (or with sudo)")
            }
            throw ConfigError(file: path, line: nil, message: "no such file; create one with `homeport config example > \(path)` or leave out --config to run on the built-in defaults")
        }
        guard FileManager.default.isReadableFile(atPath: path), let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: nil, message: "cannot be read by this user; check its permissions")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, line: nil, message: "is not UTF-8 text")
        }
        let mode = (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.uint32Value
        var config = try parse(text: text, file: path)
        if let mode, mode & 0o004 != 0 {
            let inline = inlineSecretNames(in: config)
            if !inline.isEmpty {
                config.warnings.append("\(path) is readable by every user on this machine and holds inline secrets (\(inline.joined(separator: ", "))); run `chmod 600 \(path)` or use env:NAME / file:PATH references instead")
            }
        }
        return config
    }

    public static func parse(text: String, file: String) throws(ConfigError) -> HomeportConfig {
        if let violation = TOMLInputLimits.check(text) {
            throw ConfigError(file: file, line: violation.line, message: violation.message)
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(file: file, line: error.source.begin.line, message: "not valid TOML: \(error.description)")
        } catch {
            throw ConfigError(file: file, line: nil, message: "not valid TOML: \(error)")
        }
        let lines = KeyLineIndex(text: text)
        let top = TableReader(table: root, title: "the top level", section: "", file: file, lines: lines)
        try top.requireOnlyKeys(topLevelKeys)

        var config = HomeportConfig()
        config.sourcePath = file
        if let table = try top.subtable("daemon", title: "[daemon]") {
            config.daemon = try parseDaemon(TableReader(table: table, title: "[daemon]", section: "daemon", file: file, lines: lines))
        }
        if let table = try top.subtable("ip", title: "[ip]") {
            config.ip = try parseIP(TableReader(table: table, title: "[ip]", section: "ip", file: file, lines: lines))
        }
        if let table = try top.subtable("router", title: "[router]") {
            config.router = try parseRouter(TableReader(table: table, title: "[router]", section: "router", file: file, lines: lines))
        }
        for name in ["rendezvous", "relay"] {
            guard let table = try top.subtable(name, title: "[\(name)]") else { continue }
            let reader = TableReader(table: table, title: "[\(name)]", section: name, file: file, lines: lines)
            let defaults = name == "rendezvous" ? config.rendezvous : config.relay
            let parsed = try parseBuiltin(reader, defaults: defaults)
            if name == "rendezvous" { config.rendezvous = parsed } else { config.relay = parsed }
        }
        for (index, table) in try arrayOfTables("ddns", in: top).enumerated() {
            let reader = TableReader(table: table, title: "[[ddns]] #\(index + 1)", section: KeyLineIndex.arraySection("ddns", index), file: file, lines: lines)
            config.ddns.append(try DDNSEntryParser.parse(reader))
        }
        var seen: Set<String> = []
        for (index, table) in try arrayOfTables("service", in: top).enumerated() {
            let reader = TableReader(table: table, title: "[[service]] #\(index + 1)", section: KeyLineIndex.arraySection("service", index), file: file, lines: lines)
            let service = try ServiceDefinitionParser.parse(reader)
            guard seen.insert(service.name).inserted else {
                throw reader.error("name", "two [[service]] entries are named '\(service.name)'; service names must be unique")
            }
            config.services.append(service)
        }
        return config
    }

    private static func arrayOfTables(_ key: String, in top: TableReader) throws(ConfigError) -> [TOMLTable] {
        guard let value = top.table[key] else { return [] }
        if value.table != nil {
            throw top.error(nil, "write [[\(key)]] with double brackets, one block per entry; [\(key)] declares a single table")
        }
        guard let array = value.array else {
            throw top.error(key, "'\(key)' must be written as [[\(key)]] blocks")
        }
        var tables: [TOMLTable] = []
        for element in array {
            guard let table = element.table else {
                throw top.error(key, "'\(key)' must be written as [[\(key)]] blocks")
            }
            tables.append(table)
        }
        return tables
    }

    private static func parseDaemon(_ reader: TableReader) throws(ConfigError) -> DaemonSettings {
        try reader.requireOnlyKeys(DaemonSettings.validKeys)
        var daemon = DaemonSettings()
        daemon.stateDirectory = try reader.string("state_dir")
        daemon.logLevel = try reader.oneOf("log_level", LogLevel.self) ?? daemon.logLevel
        daemon.retentionDays = try reader.int("retention_days", in: 1...36500) ?? daemon.retentionDays
        if let interval = try reader.duration("heartbeat_interval", max: .seconds(3600)) {
            guard interval >= .seconds(1) else {
                throw reader.error("heartbeat_interval", "'heartbeat_interval' in [daemon] must be at least 1s")
            }
            daemon.heartbeatInterval = interval
        }
        if let interval = try reader.duration("ddns_check_interval", max: .seconds(3600)) {
            guard interval >= .seconds(1) else {
                throw reader.error("ddns_check_interval", "'ddns_check_interval' in [daemon] must be at least 1s")
            }
            daemon.ddnsCheckInterval = interval
        }
        return daemon
    }

    private static func parseIP(_ reader: TableReader) throws(ConfigError) -> IPSettings {
        try reader.requireOnlyKeys(IPSettings.validKeys)
        var ip = IPSettings()
        ip.enabled = try reader.bool("enabled") ?? ip.enabled
        if let interval = try reader.duration("interval", max: .seconds(86400)) {
            guard interval >= .seconds(30) else {
                throw reader.error("interval", "'interval' in [ip] must be at least 30s; public echo services block clients that poll faster")
            }
            ip.interval = interval
        }
        if let interval = try reader.duration("router_interval", max: .seconds(86400)) {
            guard interval >= .seconds(1) else {
                throw reader.error("router_interval", "'router_interval' in [ip] must be at least 1s")
            }
            ip.routerInterval = interval
        }
        if let timeout = try reader.duration("timeout", max: .seconds(60)) {
            guard timeout >= .milliseconds(100) else {
                throw reader.error("timeout", "'timeout' in [ip] must be at least 100ms")
            }
            ip.timeout = timeout
        }
        ip.ipv4 = try reader.bool("ipv4") ?? ip.ipv4
        ip.ipv6 = try reader.bool("ipv6") ?? ip.ipv6
        ip.dns = try reader.bool("dns") ?? ip.dns
        ip.agreement = try reader.int("agreement", in: 1...10)
        for key in ["http_ipv4", "http_ipv6"] {
            guard let urls = try reader.stringArray(key) else { continue }
            for url in urls where !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                throw reader.error(key, "'\(key)' in [ip] must list http:// or https:// URLs, not \"\(url)\"")
            }
            if key == "http_ipv4" { ip.httpIPv4 = urls } else { ip.httpIPv6 = urls }
        }
        return ip
    }

    private static func parseRouter(_ reader: TableReader) throws(ConfigError) -> RouterSettings {
        try reader.requireOnlyKeys(RouterSettings.validKeys)
        var router = RouterSettings()
        router.enabled = try reader.bool("enabled") ?? router.enabled
        router.mapPorts = try reader.bool("map_ports") ?? router.mapPorts
        if let gateway = try reader.string("gateway") {
            guard isIPv4Literal(gateway) else {
                throw reader.error("gateway", "'gateway' in [router] must be the router's IPv4 address such as \"192.168.1.1\", not \"\(gateway)\"")
            }
            router.gateway = gateway
        }
        if let lease = try reader.duration("lease", max: .seconds(86400)) {
            guard lease >= .seconds(120) else {
                throw reader.error("lease", "'lease' in [router] must be at least 2m; routers drop shorter leases")
            }
            router.lease = lease
        }
        if let interval = try reader.duration("test_mapping_interval", max: .seconds(86400)) {
            guard interval >= RouterSettings.shortestTestMappingInterval else {
                throw reader.error("test_mapping_interval", "'test_mapping_interval' in [router] must be at least \(DurationText.format(RouterSettings.shortestTestMappingInterval)); each test adds and removes a mapping on the router")
            }
            router.testMappingInterval = interval
        }
        return router
    }

    static func isIPv4Literal(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber) && (Int(part) ?? 256) <= 255
        }
    }

    private static func parseBuiltin(_ reader: TableReader, defaults: BuiltinServerSettings) throws(ConfigError) -> BuiltinServerSettings {
        try reader.requireOnlyKeys(BuiltinServerSettings.validKeys)
        var settings = defaults
        settings.enabled = try reader.bool("enabled") ?? settings.enabled
        settings.port = try reader.int("port", in: 1...65533) ?? settings.port
        return settings
    }

    static func inlineSecretNames(in config: HomeportConfig) -> [String] {
        var names: [String] = []
        for (index, entry) in config.ddns.enumerated() {
            for (key, value) in entry.settings.sorted(by: { $0.key < $1.key }) {
                if case .secret(let secret) = value, secret.isInline {
                    names.append("[[ddns]] #\(index + 1) \(key)")
                }
            }
        }
        return names
    }
}
