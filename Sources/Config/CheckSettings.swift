/// `[check]`: what `homeport check` asks outside this host.
public struct CheckSettings: Sendable, Equatable {
    /// STUN servers (RFC 8489) that the NAT-behaviour check sends Binding requests to from one
    /// local UDP port, to learn whether the NAT maps that port the same way for every
    /// destination. Two or more, at different addresses; empty turns that check off.
    public var stun: [HostPort] = CheckSettings.defaultSTUNServers

    /// The STUN port when an entry names none (RFC 8489 section 18.6).
    public static let defaultSTUNPort = 3478

    /// Two public STUN servers run by different operators, so the two answers come from
    /// different addresses (docs/public-ip-and-nat.md#nat-mapping-behaviour).
    public static let defaultSTUNServers = [
        HostPort(host: "stun.l.google.com", port: 19302),
        HostPort(host: "stun.cloudflare.com", port: 3478),
    ]

    /// The outside probe `homeport check` asks (`homeport probe serve` on a machine outside the
    /// home, e.g. "https://vps.example.net:21120"); nil: no outside check unless `--probe` names one.
    public var probe: String?
    /// A file holding the probe's token, when the probe requires one.
    public var probeTokenFile: String?

    public init() {}

    public static let validKeys = ["probe", "probe_token_file", "stun"]
}

extension ConfigLoader {
    static func parseCheck(_ reader: TableReader) -> CheckSettings {
        reader.reportUnknownKeys(CheckSettings.validKeys)
        var check = CheckSettings()
        if let url = reader.attempt({ () throws(ConfigError) in try reader.string("probe") }) {
            if url.hasPrefix("http://") || url.hasPrefix("https://") {
                check.probe = url
            } else {
                reader.report("probe", "'probe' in [check] must be the probe's URL, such as \"https://vps.example.net:21120\", not \"\(url)\"")
            }
        }
        if let path = reader.attempt({ () throws(ConfigError) in try reader.string("probe_token_file") }) {
            if path.hasPrefix("/") {
                check.probeTokenFile = path
            } else {
                reader.report("probe_token_file", "'probe_token_file' in [check] must be an absolute path such as \"/etc/homeport/probe.token\", not \"\(path)\"")
            }
        }
        guard let entries = reader.attempt({ () throws(ConfigError) in try reader.stringArray("stun") }) else { return check }
        var servers: [HostPort] = []
        var valid = true
        for entry in entries {
            switch HostPort.parse(entry, defaultPort: CheckSettings.defaultSTUNPort) {
            case .success(let server):
                if servers.contains(server) {
                    reader.report("stun", "'stun' in [check] lists \(server) twice; each STUN server must be a different one")
                    valid = false
                }
                servers.append(server)
            case .failure(let problem):
                reader.report("stun", "'stun' in [check] must list STUN servers as \"host:port\" (port \(CheckSettings.defaultSTUNPort) when left out): \(problem)")
                valid = false
            }
        }
        if servers.count == 1 {
            reader.report("stun", "'stun' in [check] needs two or more STUN servers to compare the mappings they see (or [] to skip the NAT-behaviour check), not only \(servers[0])")
            valid = false
        }
        if valid { check.stun = servers }
        return check
    }
}
