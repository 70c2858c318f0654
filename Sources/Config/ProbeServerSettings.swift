/// `[probe]`: the outside probe (`homeport probe serve`) run by the daemon, so that two homes
/// can check each other's ports. Off by default: it is meant for a machine outside the network
/// it checks.
public struct ProbeServerSettings: Sendable, Equatable {
    public var enabled = false
    /// `ADDR:PORT` or `[ADDR]:PORT`; checked here for shape, parsed by the probe.
    public var listen = "[::]:21120"
    /// The file holding the token requests must carry; nil: anyone may ask.
    public var tokenFile: String?
    public var requestsPerMinute = 6
    public var maxConcurrent = 16
    public var portTimeout: Duration = .seconds(3)

    public init() {}

    public static let validKeys = ["enabled", "listen", "max_concurrent", "port_timeout", "requests_per_minute", "token_file"]

    /// The port of `listen`, or nil when it has none.
    public var listenPort: Int? {
        guard let colon = listen.lastIndex(of: ":") else { return Int(listen) }
        return Int(listen[listen.index(after: colon)...])
    }

    /// The address part of `listen` without brackets ("::" for a bare port).
    public var listenHost: String {
        guard let colon = listen.lastIndex(of: ":") else { return "::" }
        return String(String(listen[..<colon]).trimmingPrefix("[")).replacing("]", with: "")
    }
}

extension ConfigLoader {
    static func parseProbe(_ reader: TableReader, besides config: HomeportConfig) -> ProbeServerSettings {
        reader.reportUnknownKeys(ProbeServerSettings.validKeys)
        var probe = ProbeServerSettings()
        probe.enabled = reader.bool("enabled", or: probe.enabled)
        if let listen = reader.attempt({ () throws(ConfigError) in try reader.string("listen") }) {
            if let problem = listenProblem(listen) {
                reader.report("listen", "'listen' in [probe] \(problem); write \"ADDR:PORT\" such as \"0.0.0.0:21120\" or \"[::]:21120\", or a bare port \"21120\"")
            } else {
                probe.listen = listen
            }
        }
        if let path = reader.attempt({ () throws(ConfigError) in try reader.string("token_file") }) {
            if path.hasPrefix("/") {
                probe.tokenFile = path
            } else {
                reader.report("token_file", "'token_file' in [probe] must be an absolute path such as \"/etc/homeport/probe.token\", not \"\(path)\"")
            }
        }
        probe.requestsPerMinute = reader.attempt { () throws(ConfigError) in try reader.int("requests_per_minute", in: 1...600) } ?? probe.requestsPerMinute
        probe.maxConcurrent = reader.attempt { () throws(ConfigError) in try reader.int("max_concurrent", in: 1...1024) } ?? probe.maxConcurrent
        probe.portTimeout = reader.duration("port_timeout", min: .milliseconds(100), max: .seconds(10), or: probe.portTimeout)
        if probe.enabled, let port = probe.listenPort {
            let taken = [("rendezvous", config.rendezvous, BuiltinServerPorts.rendezvousTCP(config.rendezvous.port)),
                         ("relay", config.relay, BuiltinServerPorts.relayTCP(config.relay.port))]
            for (name, settings, ports) in taken where settings.enabled && ports.contains(port) {
                reader.report(reader.has("listen") ? "listen" : nil,
                              "[probe] would listen on TCP port \(port), which the built-in \(name) server takes; give 'listen' in [probe] another port, such as the default 21120")
            }
        }
        return probe
    }

    /// What is wrong with a `listen` value's shape, or nil.
    static func listenProblem(_ text: String) -> String? {
        let probe = ProbeServerSettings(listen: text)
        guard let port = probe.listenPort, (1...65535).contains(port) else { return "has no port from 1 to 65535 (\"\(text)\")" }
        guard text.contains(":") else { return nil }
        let host = probe.listenHost
        if text.hasPrefix("[") {
            let valid = !host.isEmpty && host.contains(":") && host.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
            return valid ? nil : "has \"\(host)\", which is not an IPv6 address"
        }
        return isIPv4Literal(host) ? nil : "has \"\(host)\", which is not an IPv4 address (put an IPv6 address in brackets)"
    }
}

private extension ProbeServerSettings {
    init(listen: String) {
        self.init()
        self.listen = listen
    }
}
