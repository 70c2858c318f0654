import Foundation
import TOMLKit

/// Turns `homeport.toml` into a `HomeportConfig`, or into an error that names, for every problem
/// in the file, the file, the line and what would be valid.
public enum ConfigLoader {
    public static let topLevelKeys = ["check", "daemon", "ddns", "ip", "probe", "relay", "rendezvous", "router", "service"]

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
        let problems = ConfigProblems()
        let top = TableReader(table: root, title: "the top level", section: "", file: file, lines: lines, problems: problems)
        top.reportUnknownKeys(topLevelKeys)

        var config = HomeportConfig()
        config.sourcePath = file
        if let table = top.attempt({ () throws(ConfigError) in try top.subtable("daemon", title: "[daemon]") }) {
            config.daemon = parseDaemon(top.nested(table, title: "[daemon]", section: "daemon"))
        }
        if let table = top.attempt({ () throws(ConfigError) in try top.subtable("ip", title: "[ip]") }) {
            config.ip = parseIP(top.nested(table, title: "[ip]", section: "ip"))
        }
        if let table = top.attempt({ () throws(ConfigError) in try top.subtable("router", title: "[router]") }) {
            config.router = parseRouter(top.nested(table, title: "[router]", section: "router"))
        }
        if let table = top.attempt({ () throws(ConfigError) in try top.subtable("check", title: "[check]") }) {
            config.check = parseCheck(top.nested(table, title: "[check]", section: "check"))
        }
        var builtinReaders: [String: TableReader] = [:]
        for name in ["rendezvous", "relay"] {
            guard let table = top.attempt({ () throws(ConfigError) in try top.subtable(name, title: "[\(name)]") }) else { continue }
            let reader = top.nested(table, title: "[\(name)]", section: name)
            builtinReaders[name] = reader
            if name == "rendezvous" {
                config.rendezvous = parseBuiltin(reader, defaults: config.rendezvous, lowestPort: BuiltinServerPorts.lowestRendezvousPort)
            } else {
                config.relay = parseBuiltin(reader, defaults: config.relay, lowestPort: 1)
            }
        }
        if let table = top.attempt({ () throws(ConfigError) in try top.subtable("probe", title: "[probe]") }) {
            config.probe = parseProbe(top.nested(table, title: "[probe]", section: "probe"), besides: config)
        }
        for (index, table) in arrayOfTables("ddns", in: top).enumerated() {
            let reader = top.nested(table, title: "[[ddns]] #\(index + 1)", section: KeyLineIndex.arraySection("ddns", index))
            if let entry = DDNSEntryParser.parse(reader) { config.ddns.append(entry) }
        }
        let builtinCollision = BuiltinServerPorts.collision(rendezvous: config.rendezvous, relay: config.relay)
        if let builtinCollision {
            // At the port that was set (the other may be the default), else at the table.
            let tables = ["rendezvous", "relay"].compactMap { builtinReaders[$0] }
            let reader = tables.first { $0.has("port") } ?? tables.first ?? top
            reader.report(reader.has("port") ? "port" : nil, builtinCollision)
        }
        var seen: Set<String> = []
        for (index, table) in arrayOfTables("service", in: top).enumerated() {
            let reader = top.nested(table, title: "[[service]] #\(index + 1)", section: KeyLineIndex.arraySection("service", index))
            guard let service = ServiceDefinitionParser.parse(reader) else { continue }
            guard seen.insert(service.name).inserted else {
                reader.report("name", "two [[service]] entries are named '\(service.name)'; service names must be unique")
                continue
            }
            if service.enabled, case .tcp(let port) = service.health {
                for message in BuiltinServerPorts.collisions(healthPort: port, service: reader.title + " (\(service.name))",
                                                             rendezvous: config.rendezvous, relay: config.relay) {
                    reader.report("health", message)
                }
            }
            config.services.append(service)
        }
        if let error = ConfigError.collecting(problems.errors, partial: config) { throw error }
        return config
    }

    private static func arrayOfTables(_ key: String, in top: TableReader) -> [TOMLTable] {
        guard let value = top.table[key] else { return [] }
        if value.table != nil {
            top.report(nil, "write [[\(key)]] with double brackets, one block per entry; [\(key)] declares a single table")
            return []
        }
        guard let array = value.array else {
            top.report(key, "'\(key)' must be written as [[\(key)]] blocks")
            return []
        }
        var tables: [TOMLTable] = []
        for element in array {
            guard let table = element.table else {
                top.report(key, "'\(key)' must be written as [[\(key)]] blocks")
                return []
            }
            tables.append(table)
        }
        return tables
    }

    private static func parseDaemon(_ reader: TableReader) -> DaemonSettings {
        reader.reportUnknownKeys(DaemonSettings.validKeys)
        var daemon = DaemonSettings()
        daemon.stateDirectory = reader.attempt { () throws(ConfigError) in try reader.string("state_dir") }
        daemon.logLevel = reader.attempt { () throws(ConfigError) in try reader.oneOf("log_level", LogLevel.self) } ?? daemon.logLevel
        daemon.retentionDays = reader.attempt { () throws(ConfigError) in try reader.int("retention_days", in: 1...36500) } ?? daemon.retentionDays
        daemon.heartbeatInterval = reader.duration("heartbeat_interval", min: .seconds(1), max: .seconds(3600), or: daemon.heartbeatInterval)
        daemon.ddnsCheckInterval = reader.duration("ddns_check_interval", min: .seconds(1), max: .seconds(3600), or: daemon.ddnsCheckInterval)
        return daemon
    }

    private static func parseIP(_ reader: TableReader) -> IPSettings {
        reader.reportUnknownKeys(IPSettings.validKeys)
        var ip = IPSettings()
        ip.enabled = reader.bool("enabled", or: ip.enabled)
        ip.interval = reader.duration("interval", min: .seconds(30), max: .seconds(86400), why: "public echo services block clients that poll faster", or: ip.interval)
        ip.routerInterval = reader.duration("router_interval", min: .seconds(1), max: .seconds(86400), or: ip.routerInterval)
        ip.timeout = reader.duration("timeout", min: .milliseconds(100), max: .seconds(60), or: ip.timeout)
        ip.ipv4 = reader.bool("ipv4", or: ip.ipv4)
        ip.ipv6 = reader.bool("ipv6", or: ip.ipv6)
        ip.dns = reader.bool("dns", or: ip.dns)
        ip.agreement = reader.attempt { () throws(ConfigError) in try reader.int("agreement", in: 1...10) }
        for key in ["http_ipv4", "http_ipv6"] {
            guard let urls = reader.attempt({ () throws(ConfigError) in try reader.stringArray(key) }) else { continue }
            let bad = urls.filter { !($0.hasPrefix("http://") || $0.hasPrefix("https://")) || Self.hasIPv6LiteralHost($0) }
            for url in bad {
                if Self.hasIPv6LiteralHost(url) {
                    reader.report(key, "'\(key)' in [ip]: \"\(url)\" names its host by an IPv6 address, which the HTTP library on Linux refuses; use a host name that has only an AAAA record (e.g. https://api6.ipify.org)")
                } else {
                    reader.report(key, "'\(key)' in [ip] must list http:// or https:// URLs, not \"\(url)\"")
                }
            }
            guard bad.isEmpty else { continue }
            if key == "http_ipv4" { ip.httpIPv4 = urls } else { ip.httpIPv6 = urls }
        }
        return ip
    }

    /// `https://[2001:db8::1]/…`: FoundationNetworking (libcurl-backed URLSession on Linux)
    /// refuses such a URL before sending anything (docs/public-ip-and-nat.md).
    static func hasIPv6LiteralHost(_ url: String) -> Bool {
        #if os(Linux)
        guard let scheme = url.range(of: "://") else { return false }
        return url[scheme.upperBound...].hasPrefix("[")
        #else
        return false
        #endif
    }

    private static func parseRouter(_ reader: TableReader) -> RouterSettings {
        reader.reportUnknownKeys(RouterSettings.validKeys)
        var router = RouterSettings()
        router.enabled = reader.bool("enabled", or: router.enabled)
        router.mapPorts = reader.bool("map_ports", or: router.mapPorts)
        if let gateway = reader.attempt({ () throws(ConfigError) in try reader.string("gateway") }) {
            if isIPv4Literal(gateway) {
                router.gateway = gateway
            } else {
                reader.report("gateway", "'gateway' in [router] must be the router's IPv4 address such as \"192.168.1.1\", not \"\(gateway)\"")
            }
        }
        router.lease = reader.duration("lease", min: .seconds(120), max: .seconds(86400), why: "routers drop shorter leases", or: router.lease)
        router.testMappingInterval = reader.duration("test_mapping_interval", min: RouterSettings.shortestTestMappingInterval, max: .seconds(86400),
                                                     why: "each test adds and removes a mapping on the router", or: router.testMappingInterval)
        return router
    }

    static func isIPv4Literal(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber) && (Int(part) ?? 256) <= 255
        }
    }

    private static func parseBuiltin(_ reader: TableReader, defaults: BuiltinServerSettings, lowestPort: Int) -> BuiltinServerSettings {
        reader.reportUnknownKeys(BuiltinServerSettings.validKeys)
        var settings = defaults
        settings.enabled = reader.bool("enabled", or: settings.enabled)
        settings.port = reader.attempt { () throws(ConfigError) in
            try reader.int("port", in: lowestPort...BuiltinServerPorts.highestPort)
        } ?? settings.port
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
