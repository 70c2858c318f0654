import Config
@testable import Daemon
@testable import Supervisor
import Testing

/// What a reload applies and what it names for a restart (issue 12), and the summary line's
/// words (it used to read "stopped [], unchanged []").
@Suite struct ConfigReloadChangeTests {
    static func entry(_ host: String, token: String = "t", line: Int? = nil) -> DDNSEntry {
        var entry = DDNSEntry(provider: "duckdns", hostnames: [host])
        entry.settings["token"] = .plain(token)
        entry.line = line
        return entry
    }

    @Test func ddnsEntriesAreKnownByProviderAndHostnamesNotByTheirLine() {
        let before = [Self.entry("a", line: 10), Self.entry("b", line: 14), Self.entry("c", line: 18)]
        let after = [Self.entry("d", line: 3), Self.entry("b", line: 7), Self.entry("a", token: "new", line: 11)]
        let change = DDNSEntriesChange(previous: before, new: after)
        #expect(change.added == 1 && change.changed == 1 && change.removed == 1)
        #expect(change.description == "1 added, 1 changed, 1 removed")
        #expect(DDNSEntriesChange(previous: before, new: before.reversed()).isEmpty)
    }

    @Test func aNewGatewayRebuildsTheRouterButMapPortsDoesNot() {
        let before = HomeportConfig()
        var mapPorts = before
        mapPorts.router.mapPorts = true
        let toggled = ConfigReloadChange(previous: before, new: mapPorts)
        #expect(!toggled.routerRebuilt && !toggled.ipChanged)
        #expect(toggled.applied == ["[router] map_ports"])

        var gateway = mapPorts
        gateway.router.gateway = "192.0.2.1"
        gateway.router.testMappingInterval = .seconds(60)
        let moved = ConfigReloadChange(previous: mapPorts, new: gateway)
        #expect(moved.routerRebuilt)
        #expect(moved.applied == ["[router] gateway, test_mapping_interval"])
    }

    @Test func restartOnlyKeysAreNamedAndTheRestApplied() {
        let before = HomeportConfig()
        var after = before
        after.daemon.stateDirectory = "/elsewhere"
        after.daemon.logLevel = .debug
        after.daemon.retentionDays = 30
        after.ip.httpIPv4 = ["http://127.0.0.1:1/ip"]
        after.ip.interval = .seconds(60)
        after.ddns = [Self.entry("a")]
        let change = ConfigReloadChange(previous: before, new: after)
        #expect(change.ipChanged && !change.routerRebuilt)
        #expect(change.needsRestart == ["[daemon] state_dir", "[daemon] log_level"])
        #expect(change.applied == ["[daemon] retention_days", "[ip] interval, http_ipv4", "[[ddns]] (1 added)"])
    }

    @Test func theSummaryListsOnlyWhatHappened() {
        var services = Supervisor.Change()
        services.started = ["web"]
        services.unchanged = ["db", "cache"]
        var after = HomeportConfig()
        after.daemon.logLevel = .debug
        after.router.mapPorts = true
        let line = HomeportDaemon.reloadSummary(services: services, change: ConfigReloadChange(previous: HomeportConfig(), new: after))
        #expect(line == "reloaded: started web; unchanged db, cache; applied [router] map_ports; changed, takes effect when homeport restarts: [daemon] log_level")
        let nothing = HomeportDaemon.reloadSummary(services: Supervisor.Change(), change: ConfigReloadChange(previous: HomeportConfig(), new: HomeportConfig()))
        #expect(nothing == "reloaded: nothing to run and nothing changed")
    }
}
