#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where homeport keeps its configuration and state when the user names neither.
///
/// The rules follow each OS's convention so that a packaged service, a user running it by hand,
/// and the service files in `launch/` all agree without flags:
/// - Linux as root, or as the `homeport` service account the systemd unit and the Debian
///   package run the daemon as: `/etc/homeport/homeport.toml` and `/var/lib/homeport`
///   (systemd's `StateDirectory=homeport`), so `sudo -u homeport homeport keygen` finds the
///   daemon's files.
/// - Linux as a user: `$XDG_CONFIG_HOME/homeport` (default `~/.config/homeport`) and
///   `$XDG_STATE_HOME/homeport` (default `~/.local/state/homeport`).
/// - macOS: `~/Library/Application Support/homeport` for both, or
///   `/Library/Application Support/homeport` as root (a LaunchDaemon).
public struct DefaultLocations: Sendable, Equatable {
    public var configFile: String
    public var stateDirectory: String

    public init(configFile: String, stateDirectory: String) {
        self.configFile = configFile
        self.stateDirectory = stateDirectory
    }

    /// The locations for this process: its OS, its user and its environment.
    public static func current(environment: [String: String] = ProcessEnvironment.all()) -> DefaultLocations {
        #if os(macOS)
        return forMacOS(isRoot: geteuid() == 0, environment: environment)
        #else
        return forLinux(isRoot: geteuid() == 0 || PathAccess.userName(geteuid()) == serviceAccount, environment: environment)
        #endif
    }

    /// The system user the packaged service runs as (see ServiceFiles' SystemdUnit).
    public static let serviceAccount = "homeport"

    public static func forLinux(isRoot: Bool, environment: [String: String]) -> DefaultLocations {
        if isRoot {
            return DefaultLocations(configFile: "/etc/homeport/homeport.toml", stateDirectory: "/var/lib/homeport")
        }
        let home = environment["HOME"] ?? "/"
        let configHome = nonEmpty(environment["XDG_CONFIG_HOME"]) ?? join(home, ".config")
        let stateHome = nonEmpty(environment["XDG_STATE_HOME"]) ?? join(home, ".local/state")
        return DefaultLocations(
            configFile: join(configHome, "homeport/homeport.toml"),
            stateDirectory: join(stateHome, "homeport")
        )
    }

    public static func forMacOS(isRoot: Bool, environment: [String: String]) -> DefaultLocations {
        let base = isRoot
            ? "/Library/Application Support/homeport"
            : join(environment["HOME"] ?? "/", "Library/Application Support/homeport")
        return DefaultLocations(configFile: join(base, "homeport.toml"), stateDirectory: base)
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}

/// Joins two path pieces with exactly one slash between them.
public func join(_ base: String, _ rest: String) -> String {
    if base.hasSuffix("/") { return base + rest }
    return base + "/" + rest
}
