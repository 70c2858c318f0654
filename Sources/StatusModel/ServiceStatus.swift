import Foundation

/// A service's live state as the supervisor sees it; served on the control socket.
public struct ServiceStatus: Sendable, Codable, Equatable {
    public var name: String
    public var state: ServiceState
    public var pid: Int32?
    /// When the current process started (nil when not running).
    public var startedAt: Date?
    /// Restarts since the daemon started.
    public var restarts: Int
    public var consecutiveFailures: Int
    public var lastExit: ExitInfo?
    /// When the next start is due while waiting out a back-off.
    public var nextStartAt: Date?
    /// nil until a health check has an answer, or when the service has no health check.
    public var healthy: Bool?
    public var healthError: String?
    public var health: String?
    public var command: [String]
    /// Why the service is not running, when it is not: port conflict, missing executable.
    public var problem: String?

    enum CodingKeys: String, CodingKey {
        case name, state, pid, restarts, healthy, health, command, problem
        case startedAt = "started_at"
        case consecutiveFailures = "consecutive_failures"
        case lastExit = "last_exit"
        case nextStartAt = "next_start_at"
        case healthError = "health_error"
    }

    public init(name: String, state: ServiceState, command: [String], health: String?) {
        self.name = name
        self.state = state
        self.command = command
        self.health = health
        self.restarts = 0
        self.consecutiveFailures = 0
    }
}

public enum ServiceState: String, Sendable, Codable, Equatable {
    case starting
    case running
    /// Waiting out the back-off before the next start.
    case restarting
    /// Kept dying: still retried, at the capped back-off.
    case crashLooping = "crash-looping"
    /// Not started because another program holds one of its ports.
    case portConflict = "port-conflict"
    case stopping
    /// Stopped by homeport (shutdown, reload, or removed from the config).
    case stopped
    /// Ended and, by its restart policy, stays ended.
    case exited
}

/// How a process ended.
public struct ExitInfo: Sendable, Codable, Equatable {
    public var code: Int32?
    public var signal: Int32?
    public var at: Date
    /// How long that process had run.
    public var uptimeSeconds: Double
    public var reason: String

    enum CodingKeys: String, CodingKey {
        case code, signal, at, reason
        case uptimeSeconds = "uptime_seconds"
    }

    public init(code: Int32?, signal: Int32?, at: Date, uptimeSeconds: Double, reason: String) {
        self.code = code
        self.signal = signal
        self.at = at
        self.uptimeSeconds = uptimeSeconds
        self.reason = reason
    }

    public var isSuccess: Bool { code == 0 && signal == nil }
}
