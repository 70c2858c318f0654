import Config

/// What a reload changes outside the `[[service]]`s and built-in servers (the supervisor
/// compares those), named as in the config file, for the network tasks and the summary line.
struct ConfigReloadChange: Equatable {
    /// `[router] enabled`, `gateway` or `test_mapping_interval` changed: a new router owner (a
    /// new mapper, found anew), so the port mapping and the address watch start again with it.
    var routerRebuilt = false
    /// Any `[ip]` key changed: the address watch starts again with the new settings.
    var ipChanged = false
    /// Applied by the reload, e.g. "[ip] http_ipv4", "[[ddns]] (1 added)".
    var applied: [String] = []
    /// Changed, but read only when homeport starts, e.g. "[daemon] log_level".
    var needsRestart: [String] = []

    /// The keys homeport reads only at its start: the state directory holds the lock, the
    /// history and the control socket, which it keeps open; the log level is set once for the
    /// whole process; the heartbeat interval is recorded with the run and used for its downtime.
    static let restartOnlyKeys = ["[daemon] state_dir", "[daemon] log_level", "[daemon] heartbeat_interval"]

    init(previous: HomeportConfig, new: HomeportConfig) {
        let daemon = Self.changed([
            ("state_dir", previous.daemon.stateDirectory != new.daemon.stateDirectory),
            ("log_level", previous.daemon.logLevel != new.daemon.logLevel),
            ("heartbeat_interval", previous.daemon.heartbeatInterval != new.daemon.heartbeatInterval),
            ("retention_days", previous.daemon.retentionDays != new.daemon.retentionDays),
            ("ddns_check_interval", previous.daemon.ddnsCheckInterval != new.daemon.ddnsCheckInterval),
        ]).map { "[daemon] \($0)" }
        needsRestart = daemon.filter(Self.restartOnlyKeys.contains)
        applied = daemon.filter { !Self.restartOnlyKeys.contains($0) }

        let old = previous.ip, ip = new.ip
        let ipKeys = Self.changed([
            ("enabled", old.enabled != ip.enabled), ("interval", old.interval != ip.interval),
            ("router_interval", old.routerInterval != ip.routerInterval), ("ipv4", old.ipv4 != ip.ipv4), ("ipv6", old.ipv6 != ip.ipv6),
            ("http_ipv4", old.httpIPv4 != ip.httpIPv4), ("http_ipv6", old.httpIPv6 != ip.httpIPv6), ("dns", old.dns != ip.dns),
            ("agreement", old.agreement != ip.agreement), ("timeout", old.timeout != ip.timeout),
        ])
        ipChanged = !ipKeys.isEmpty
        if ipChanged { applied.append("[ip] " + ipKeys.joined(separator: ", ")) }

        let was = previous.router, router = new.router
        let routerKeys = Self.changed([
            ("enabled", was.enabled != router.enabled), ("map_ports", was.mapPorts != router.mapPorts),
            ("gateway", was.gateway != router.gateway), ("lease", was.lease != router.lease),
            ("test_mapping_interval", was.testMappingInterval != router.testMappingInterval),
        ])
        routerRebuilt = was.enabled != router.enabled || was.gateway != router.gateway || was.testMappingInterval != router.testMappingInterval
        if !routerKeys.isEmpty { applied.append("[router] " + routerKeys.joined(separator: ", ")) }

        let ddns = DDNSEntriesChange(previous: previous.ddns, new: new.ddns)
        if !ddns.isEmpty { applied.append("[[ddns]] (\(ddns))") }
    }

    private static func changed(_ keys: [(name: String, changed: Bool)]) -> [String] {
        keys.filter(\.changed).map(\.name)
    }
}

/// `[[ddns]]` entries added, changed and removed, an entry known by its provider and hostnames.
/// Where an entry sits in the file is no change.
struct DDNSEntriesChange: Equatable, CustomStringConvertible {
    var added = 0
    var changed = 0
    var removed = 0

    init(previous: [DDNSEntry], new: [DDNSEntry]) {
        func identity(_ entry: DDNSEntry) -> [String] { [entry.provider] + entry.hostnames }
        func content(_ entry: DDNSEntry) -> DDNSEntry {
            var entry = entry
            entry.line = nil
            return entry
        }
        var unmatched = previous.map(content)
        var fresh: [DDNSEntry] = []
        for entry in new.map(content) {
            if let same = unmatched.firstIndex(of: entry) { unmatched.remove(at: same) } else { fresh.append(entry) }
        }
        for entry in fresh {
            if let other = unmatched.firstIndex(where: { identity($0) == identity(entry) }) {
                unmatched.remove(at: other)
                changed += 1
            } else {
                added += 1
            }
        }
        removed = unmatched.count
    }

    var isEmpty: Bool { added == 0 && changed == 0 && removed == 0 }

    var description: String {
        [(added, "added"), (changed, "changed"), (removed, "removed")].filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
    }
}
