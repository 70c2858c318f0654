/// What `homeport config check` prints after a file passed: the effective settings, secrets
/// shown only as references or `<redacted>`.
public enum ConfigSummary {
    public static func lines(_ config: HomeportConfig) -> [String] {
        var out: [String] = []
        out.append("source: \(config.sourcePath ?? "built-in defaults")")
        out.append("[daemon] log_level=\(config.daemon.logLevel.rawValue) retention_days=\(config.daemon.retentionDays) heartbeat_interval=\(DurationText.format(config.daemon.heartbeatInterval))" + (config.daemon.stateDirectory.map { " state_dir=\($0)" } ?? ""))
        let ip = config.ip
        out.append("[ip] enabled=\(ip.enabled) ipv4=\(ip.ipv4) ipv6=\(ip.ipv6) interval=\(DurationText.format(ip.interval)) router_interval=\(DurationText.format(ip.routerInterval)) dns=\(ip.dns)"
            + (ip.agreement.map { " agreement=\($0)" } ?? "")
            + (ip.httpIPv4.map { " http_ipv4=\($0.joined(separator: ","))" } ?? "")
            + (ip.httpIPv6.map { " http_ipv6=\($0.joined(separator: ","))" } ?? ""))
        let router = config.router
        out.append("[router] enabled=\(router.enabled) map_ports=\(router.mapPorts) lease=\(DurationText.format(router.lease)) test_mapping_interval=\(DurationText.format(router.testMappingInterval))" + (router.gateway.map { " gateway=\($0)" } ?? ""))
        out.append("[check] stun=" + (config.check.stun.isEmpty ? "[] (NAT-behaviour check off)" : config.check.stun.map(\.description).joined(separator: ",")))
        out.append("[rendezvous] enabled=\(config.rendezvous.enabled) port=\(config.rendezvous.port)")
        out.append("[relay] enabled=\(config.relay.enabled) port=\(config.relay.port)")
        for entry in config.ddns {
            let settings = entry.settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            out.append("[[ddns]] provider=\(entry.provider) hostnames=\(entry.hostnames.joined(separator: ",")) ipv4=\(entry.ipv4) ipv6=\(entry.ipv6)" + (settings.isEmpty ? "" : " \(settings)"))
        }
        for service in config.services {
            out.append("[[service]] \(service.name): \(service.command.joined(separator: " ")) restart=\(service.restart.rawValue) health=\(service.health) stop_timeout=\(DurationText.format(service.stopTimeout))\(service.enabled ? "" : " (disabled)")")
        }
        return out
    }
}
