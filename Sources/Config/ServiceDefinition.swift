/// A `[[service]]` the daemon keeps running: the user's own programs next to the built-in ones.
public struct ServiceDefinition: Sendable, Equatable {
    public var name: String
    /// argv: the program (a path, or a name looked up in PATH) and its arguments.
    public var command: [String]
    public var environment: [String: String] = [:]
    public var workingDirectory: String?
    public var restart: RestartPolicy = .always
    public var health: HealthCheckSetting = .none
    /// How often the health check runs once the service is healthy.
    public var healthInterval: Duration = .seconds(10)
    /// How long a child gets between SIGTERM and SIGKILL.
    public var stopTimeout: Duration = .seconds(10)
    public var enabled = true
    /// Line of the `[[service]]` header in the config file.
    public var line: Int?

    public init(name: String, command: [String]) {
        self.name = name
        self.command = command
    }

    public static let validKeys = ["command", "enabled", "env", "health", "health_interval", "name", "restart", "stop_timeout", "working_dir"]

    /// Names the built-in services use; a `[[service]]` may not take them.
    public static let reservedNames = ["rendezvous", "relay"]

    /// Equal in everything that matters to a running child: a reload restarts a service only
    /// when this differs (the line number moving is not a change).
    public func sameDefinition(as other: ServiceDefinition) -> Bool {
        var a = self, b = other
        a.line = nil
        b.line = nil
        return a == b
    }
}

public enum RestartPolicy: String, Sendable, Equatable, CaseIterable {
    case always
    case onFailure = "on-failure"
    case never
}

public enum HealthCheckSetting: Sendable, Equatable, CustomStringConvertible {
    case none
    /// Connect to this TCP port on loopback.
    case tcp(port: Int)

    public var description: String {
        switch self {
        case .none: return "none"
        case .tcp(let port): return "tcp:\(port)"
        }
    }
}
