import Config
import Supervisor

/// A built-in service this binary can run as a child (`homeport rendezvous`, `homeport relay`).
/// The CLI registers the ones it has; the daemon runs those enabled in the config.
public struct BuiltinService: Sendable {
    public var name: String
    /// Whether the config enables it.
    public var isEnabled: @Sendable (HomeportConfig) -> Bool
    /// The subcommand and arguments, given the config and the state directory.
    public var arguments: @Sendable (HomeportConfig, String) -> [String]
    public var ports: @Sendable (HomeportConfig) -> [Int]
    public var health: @Sendable (HomeportConfig) -> (any HealthProbe)?

    public init(name: String,
                isEnabled: @escaping @Sendable (HomeportConfig) -> Bool,
                arguments: @escaping @Sendable (HomeportConfig, String) -> [String],
                ports: @escaping @Sendable (HomeportConfig) -> [Int],
                health: @escaping @Sendable (HomeportConfig) -> (any HealthProbe)?) {
        self.name = name
        self.isEnabled = isEnabled
        self.arguments = arguments
        self.ports = ports
        self.health = health
    }
}

/// Turns the configuration into the set of services the supervisor runs.
public enum ServicePlan {
    public struct Plan: Sendable {
        public var specs: [ServiceSpec]
        public var healthSchedules: [String: HealthSchedule]
    }

    public static func make(config: HomeportConfig, builtins: [BuiltinService], executable: String, stateDirectory: String) -> Plan {
        var specs: [ServiceSpec] = []
        var schedules: [String: HealthSchedule] = [:]
        for builtin in builtins where builtin.isEnabled(config) {
            specs.append(ServiceSpec(
                name: builtin.name,
                command: [executable] + builtin.arguments(config, stateDirectory),
                // The daemon's log already stamps and names each line (see ChildLogging).
                environment: ["HOMEPORT_SUPERVISED": "1"],
                restart: .always,
                health: builtin.health(config),
                ports: builtin.ports(config),
                stopTimeout: .seconds(10)))
        }
        for service in config.services where service.enabled {
            var ports: [Int] = []
            var probe: (any HealthProbe)?
            if case .tcp(let port) = service.health {
                ports = [port]
                probe = TCPConnectProbe(port: port)
            }
            specs.append(ServiceSpec(
                name: service.name,
                command: service.command,
                environment: service.environment,
                workingDirectory: service.workingDirectory,
                restart: ServiceSpec.Restart(rawValue: service.restart.rawValue) ?? .always,
                health: probe,
                ports: ports,
                stopTimeout: service.stopTimeout))
            schedules[service.name] = HealthSchedule(interval: service.healthInterval)
        }
        return Plan(specs: specs, healthSchedules: schedules)
    }
}
