/// Everything the supervisor needs to run one service. Built by the daemon from the config:
/// built-in services are this binary with a subcommand, user services are their command.
public struct ServiceSpec: Sendable {
    public var name: String
    /// argv; `command[0]` is a path or a name looked up in PATH.
    public var command: [String]
    public var environment: [String: String]
    public var workingDirectory: String?
    public var restart: Restart
    public var health: (any HealthProbe)?
    /// TCP ports the service listens on; checked before each start, so a port held by another
    /// program is reported as such instead of as a mysterious crash.
    public var ports: [Int]
    public var stopTimeout: Duration

    public enum Restart: String, Sendable, Equatable {
        case always
        case onFailure = "on-failure"
        case never
    }

    public init(name: String, command: [String], environment: [String: String] = [:], workingDirectory: String? = nil,
                restart: Restart = .always, health: (any HealthProbe)? = nil, ports: [Int] = [], stopTimeout: Duration = .seconds(10)) {
        self.name = name
        self.command = command
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.restart = restart
        self.health = health
        self.ports = ports
        self.stopTimeout = stopTimeout
    }

    /// Equal in every respect that matters to a running child; a reload restarts a service
    /// only when this is false.
    public func sameDefinition(as other: ServiceSpec) -> Bool {
        name == other.name && command == other.command && environment == other.environment
            && workingDirectory == other.workingDirectory && restart == other.restart
            && health?.identity == other.health?.identity && ports == other.ports && stopTimeout == other.stopTimeout
    }
}
