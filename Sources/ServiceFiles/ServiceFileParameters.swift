/// The real paths a service file points at: this binary, the config, the state directory.
public struct ServiceFileParameters: Sendable, Equatable {
    public var binary: String
    /// nil: the daemon reads its default location (and runs on defaults without a file).
    public var configFile: String?
    public var stateDirectory: String
    /// macOS only: where launchd writes stdout/stderr (systemd uses the journal).
    public var logDirectory: String
    /// systemd only: the account the daemon and every `[[service]]` it starts run as.
    public var user: String
    /// systemd only: a built-in server listens below port 1024, so the unit grants
    /// CAP_NET_BIND_SERVICE (and nothing else).
    public var bindsPrivilegedPorts: Bool

    public init(binary: String, configFile: String?, stateDirectory: String, logDirectory: String,
                user: String = "homeport", bindsPrivilegedPorts: Bool = false) {
        self.binary = binary
        self.configFile = configFile
        self.stateDirectory = stateDirectory
        self.logDirectory = logDirectory
        self.user = user
        self.bindsPrivilegedPorts = bindsPrivilegedPorts
    }

    /// The directory under /var/lib that systemd's `StateDirectory=` creates and hands to the
    /// service user (`homeport` for /var/lib/homeport); nil for a state directory elsewhere,
    /// which the unit grants with `ReadWritePaths=` instead.
    public var systemdStateDirectoryName: String? {
        let prefix = "/var/lib/"
        guard stateDirectory.hasPrefix(prefix) else { return nil }
        let name = String(stateDirectory.dropFirst(prefix.count)).split(separator: "/").joined(separator: "/")
        guard !name.isEmpty, !name.split(separator: "/").contains(where: { $0 == ".." || $0 == "." || $0 == "private" }) else { return nil }
        return name
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
