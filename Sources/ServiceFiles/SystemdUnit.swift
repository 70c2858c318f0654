/// The systemd unit for `homeport run` (Linux). `launch/homeport.service` in the repository is
/// this rendering with the default paths; a test keeps the two identical.
public enum SystemdUnit {
    public static let fileName = "homeport.service"
    public static let defaultDirectory = "/etc/systemd/system"

    public static func render(_ parameters: ServiceFileParameters) -> String {
        let execStart = parameters.runArguments.map(quote).joined(separator: " ")
        return """
        # homeport: public IP, DDNS and a self-hosted RustDesk server for a home network.
        # Install with `sudo homeport service install`, or copy to /etc/systemd/system/ and run
        #   sudo systemctl daemon-reload && sudo systemctl enable --now homeport
        [Unit]
        Description=homeport home-server daemon (public IP, DDNS, RustDesk rendezvous and relay)
        After=network-online.target
        Wants=network-online.target

        [Service]
        Type=simple
        # A system account, not root: `homeport service install` and the Debian package create
        # it. Your own [[service]] programs run as this user too.
        User=\(parameters.user)
        Group=\(parameters.user)
        ExecStart=\(execStart)
        ExecReload=/bin/kill -HUP $MAINPID
        Restart=on-failure
        RestartSec=5s
        # homeport stops its own children (SIGTERM, then SIGKILL after each stop_timeout);
        # systemd signals only the main process first and cleans up what is left after the timeout.
        KillMode=mixed
        TimeoutStopSec=90s
        \(stateDirectoryLines(parameters))
        ConfigurationDirectory=homeport
        LimitNOFILE=65536
        UMask=0077

        # Capabilities: \(capabilityComment(parameters))
        CapabilityBoundingSet=\(capabilities(parameters))
        AmbientCapabilities=\(capabilities(parameters))

        # Hardening (`systemd-analyze security homeport` rates it OK). Your own [[service]]
        # programs run under these rules too: if one must write outside the state directory,
        # add ReadWritePaths= with `systemctl edit homeport`.
        NoNewPrivileges=yes
        ProtectSystem=strict
        ProtectHome=read-only
        PrivateTmp=yes
        PrivateDevices=yes
        ProtectKernelTunables=yes
        ProtectKernelModules=yes
        ProtectKernelLogs=yes
        ProtectControlGroups=yes
        ProtectClock=yes
        ProtectHostname=yes
        ProtectProc=invisible
        RestrictSUIDSGID=yes
        RestrictRealtime=yes
        RestrictNamespaces=yes
        LockPersonality=yes
        MemoryDenyWriteExecute=yes
        RemoveIPC=yes
        KeyringMode=private
        SystemCallArchitectures=native
        # The system calls of an ordinary service (systemd.exec(5) @system-service: sockets,
        # files, signals, pidfds, prctl); anything else fails with EPERM instead of killing.
        SystemCallFilter=@system-service
        SystemCallErrorNumber=EPERM
        RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK

        [Install]
        WantedBy=multi-user.target

        """
    }

    /// `StateDirectory=` for a directory under /var/lib (systemd creates it and gives it to the
    /// service user); `ReadWritePaths=` for one elsewhere, which `ProtectSystem=strict` would
    /// otherwise make read-only (the installer creates it and gives it to the user).
    static func stateDirectoryLines(_ parameters: ServiceFileParameters) -> String {
        if let name = parameters.systemdStateDirectoryName {
            return "StateDirectory=\(quote(name))\nStateDirectoryMode=0700"
        }
        return "# The state directory is not under /var/lib, so it is granted here, not created.\nReadWritePaths=\(quote(parameters.stateDirectory))"
    }

    static func capabilities(_ parameters: ServiceFileParameters) -> String {
        parameters.bindsPrivilegedPorts ? "CAP_NET_BIND_SERVICE" : ""
    }

    static func capabilityComment(_ parameters: ServiceFileParameters) -> String {
        parameters.bindsPrivilegedPorts
            ? "CAP_NET_BIND_SERVICE only, because a built-in server is configured below port 1024."
            : "none. The built-in servers listen above port 1024, and reading routes\n# (netlink, /proc/net) and mapping router ports need no privilege."
    }

    /// systemd's own quoting for ExecStart: double quotes around words with spaces.
    static func quote(_ word: String) -> String {
        guard word.contains(where: { $0 == " " || $0 == "\"" || $0 == "\\" || $0 == "'" }) else { return word }
        return "\"" + word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
