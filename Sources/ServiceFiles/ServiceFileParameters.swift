/// The real paths a service file points at: this binary, the config, the state directory.
public struct ServiceFileParameters: Sendable, Equatable {
    public var binary: String
    /// nil: the daemon reads its default location (and runs on defaults without a file).
    public var configFile: String?
    public var stateDirectory: String
    /// macOS only: where launchd writes stdout/stderr (systemd uses the journal).
    public var logDirectory: String

    public init(binary: String, configFile: String?, stateDirectory: String, logDirectory: String) {
        self.binary = binary
        self.configFile = configFile
        self.stateDirectory = stateDirectory
        self.logDirectory = logDirectory
    }

    var runArguments: [String] {
        [binary, "run"] + (configFile.map { ["--config", $0] } ?? []) + ["--state-dir", stateDirectory]
    }
}

/// Which init system a service file is for.
public enum ServiceFileKind: String, Sendable, CaseIterable {
    case systemd
    case launchd

    public static var current: ServiceFileKind {
        #if os(macOS)
        return .launchd
        #else
        return .systemd
        #endif
    }
}
