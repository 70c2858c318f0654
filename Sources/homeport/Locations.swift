import ArgumentParser
import Config
import Paths

/// `--config` and `--state-dir`, shared by every command that reads them.
struct LocationOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Configuration file.", discussion: "Default: /etc/homeport/homeport.toml as root on Linux, ~/.config/homeport/homeport.toml otherwise, ~/Library/Application Support/homeport/homeport.toml on macOS. Without a file, the built-in defaults apply.", valueName: "path"))
    var config: String?

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Directory for the history database and control socket.", discussion: "Default: /var/lib/homeport as root on Linux, ~/.local/state/homeport otherwise, ~/Library/Application Support/homeport on macOS.", valueName: "dir"))
    var stateDirectory: String?

    /// The configuration and where things live, after applying flags, environment
    /// (HOMEPORT_CONFIG, HOMEPORT_STATE_DIR), the config's own `state_dir`, and OS defaults.
    func resolve() throws(ConfigError) -> ResolvedLocations {
        let defaults = DefaultLocations.current()
        let explicitConfig = config ?? ProcessEnvironment.value("HOMEPORT_CONFIG")
        let loaded = try ResolvedLocations.loadConfig(explicit: explicitConfig, defaultPath: defaults.configFile)
        let stateDirectory = self.stateDirectory ?? ProcessEnvironment.value("HOMEPORT_STATE_DIR") ?? loaded.daemon.stateDirectory ?? defaults.stateDirectory
        return ResolvedLocations(config: loaded, explicitConfigPath: explicitConfig, defaultConfigPath: defaults.configFile, stateDirectory: stateDirectory)
    }

    /// The state directory from flags, environment and OS defaults alone, for when the
    /// config file cannot be read.
    func stateDirectoryWithoutConfig() -> String {
        stateDirectory ?? ProcessEnvironment.value("HOMEPORT_STATE_DIR") ?? DefaultLocations.current().stateDirectory
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
