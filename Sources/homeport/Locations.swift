import ArgumentParser
import Config
import Paths

/// `--config` and `--state-dir`, shared by every command that reads them.
struct LocationOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Configuration file.", discussion: "Default: /etc/homeport/homeport.toml as root on Linux, ~/.config/homeport/homeport.toml otherwise, ~/Library/Application Support/homeport/homeport.toml on macOS. Without a file, the built-in defaults apply.", valueName: "path"))
    var config: String?

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Directory for the history database, server key pair, peer database and control sockets.", discussion: "Default: /var/lib/homeport as root on Linux, ~/.local/state/homeport otherwise, ~/Library/Application Support/homeport on macOS.", valueName: "dir"))
    var stateDirectory: String?

    /// The configuration and where things live, after applying flags, environment
    /// (HOMEPORT_CONFIG, HOMEPORT_STATE_DIR), the config's own `state_dir`, and OS defaults.
    func resolve() throws(ConfigError) -> ResolvedLocations {
        let explicitConfig = config ?? ProcessEnvironment.value("HOMEPORT_CONFIG")
        let defaultConfig = DefaultLocations.current().configFile
        let loaded = try ResolvedLocations.loadConfig(explicit: explicitConfig, defaultPath: defaultConfig)
        let stateDirectory = Self.stateDirectory(flag: self.stateDirectory) { loaded.daemon.stateDirectory }
        return ResolvedLocations(config: loaded, explicitConfigPath: explicitConfig, defaultConfigPath: defaultConfig, stateDirectory: stateDirectory)
    }

    /// `resolve()`, or the config error printed and exit status 78 (EX_CONFIG).
    func resolvedOrExit() throws -> ResolvedLocations {
        try Self.orExit(resolve)
    }

    /// The state directory alone, for commands that need nothing else from the configuration
    /// (`keygen`, `admin`, `peers import`).
    func resolveStateDirectory() throws(ConfigError) -> String {
        try Self.resolveStateDirectory(flag: stateDirectory, configFlag: config)
    }

    /// `resolveStateDirectory()`, or the config error printed and exit status 78 (EX_CONFIG,
    /// as `config check` uses).
    func stateDirectoryOrExit() throws -> String {
        try Self.orExit(resolveStateDirectory)
    }

    private static func orExit<Value>(_ body: () throws(ConfigError) -> Value) throws -> Value {
        do {
            return try body()
        } catch {
            Terminal.error("\(error)")
            throw ExitCode(78)
        }
    }

    /// The state directory alone: the config file is read only when neither the flag nor
    /// HOMEPORT_STATE_DIR names the directory, so a server the daemon starts with `--state-dir`
    /// never depends on a config file it was not given. `configFlag` is nil for the servers,
    /// whose `-c/--config` is an hbbs INI file: HOMEPORT_CONFIG or the default file applies.
    static func resolveStateDirectory(flag: String?, configFlag: String?) throws(ConfigError) -> String {
        let explicitConfig = configFlag ?? ProcessEnvironment.value("HOMEPORT_CONFIG")
        return try stateDirectory(flag: flag) { () throws(ConfigError) -> String? in
            try ResolvedLocations.loadConfig(explicit: explicitConfig, defaultPath: DefaultLocations.current().configFile).daemon.stateDirectory
        }
    }

    /// The state directory from flags, environment and OS defaults alone, for when the
    /// config file cannot be read.
    func stateDirectoryWithoutConfig() -> String {
        Self.stateDirectory(flag: stateDirectory) { nil }
    }

    /// The one rule every command uses for where the state lives: `--state-dir`, then
    /// HOMEPORT_STATE_DIR, then the config file's `[daemon] state_dir`, then the OS default.
    /// A command that found its key, socket or database elsewhere would show another key
    /// than the daemon's or miss the running daemon.
    static func stateDirectory<Failure: Error>(flag: String?, configured: () throws(Failure) -> String?) throws(Failure) -> String {
        if let flag { return flag }
        if let environment = ProcessEnvironment.value("HOMEPORT_STATE_DIR") { return environment }
        if let configured = try configured() { return configured }
        return DefaultLocations.current().stateDirectory
    }
}

struct ResolvedLocations: Sendable {
    var config: HomeportConfig
    var explicitConfigPath: String?
    var defaultConfigPath: String
    var stateDirectory: String

    /// An explicitly named file must exist; the default file is optional.
    static func loadConfig(explicit: String?, defaultPath: String) throws(ConfigError) -> HomeportConfig {
        if let explicit { return try ConfigLoader.load(path: explicit) }
        if access(defaultPath, F_OK) == 0 { return try ConfigLoader.load(path: defaultPath) }
        return HomeportConfig.embeddedDefaults
    }

    /// Loads the configuration again from the same place (for SIGHUP).
    func reload() throws(ConfigError) -> HomeportConfig {
        try Self.loadConfig(explicit: explicitConfigPath, defaultPath: defaultConfigPath)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
