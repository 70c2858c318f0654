/// `[daemon]`: how the always-on process itself behaves.
public struct DaemonSettings: Sendable, Equatable {
    /// Overrides the OS default state directory; `--state-dir` overrides this.
    public var stateDirectory: String?
    public var logLevel: LogLevel = .info
    /// Rows older than this are pruned from the history.
    public var retentionDays: Int = 400
    /// How often the daemon proves it is alive in the history, so time when the host was off
    /// can be told apart from time when it was up.
    public var heartbeatInterval: Duration = .seconds(60)
    /// How often the DDNS side runs a round without an address change (ended back-offs, DNS
    /// re-checks, periodic refreshes); an unchanged record costs no request.
    public var ddnsCheckInterval: Duration = .seconds(60)

    public init() {}

    public static let validKeys = ["ddns_check_interval", "heartbeat_interval", "log_level", "retention_days", "state_dir"]
}

public enum LogLevel: String, Sendable, Equatable, CaseIterable {
    case trace, debug, info, notice, warning, error, critical
}
