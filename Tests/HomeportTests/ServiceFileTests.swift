import Foundation
import Testing
@testable import ServiceFiles

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ServiceFileTests {
    /// The parameters the files in `launch/` are rendered with (see launch/README.md).
    static let packaged = ServiceFileParameters(binary: "/usr/local/bin/homeport", configFile: nil, stateDirectory: "/var/lib/homeport", logDirectory: "/Library/Logs/homeport")
    static let packagedMac = ServiceFileParameters(binary: "/usr/local/bin/homeport", configFile: nil, stateDirectory: "/Library/Application Support/homeport", logDirectory: "/Library/Logs/homeport")

    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test func launchDirectoryMatchesTheRenderedFiles() throws {
        let unit = try String(contentsOf: Self.repository.appendingPathComponent("launch/homeport.service"), encoding: .utf8)
        #expect(unit == SystemdUnit.render(Self.packaged), "regenerate with: homeport service print --kind systemd (see launch/README.md)")
        let plist = try String(contentsOf: Self.repository.appendingPathComponent("launch/dev.homeport.plist"), encoding: .utf8)
        #expect(plist == LaunchdPlist.render(Self.packagedMac))
    }

    @Test(.enabled(if: ToolRequirement.systemdAnalyze.shouldRun(), Comment(rawValue: ToolRequirement.systemdAnalyze.skipMessage)))
    func systemdAcceptsTheUnit() async throws {
        try ToolRequirement.systemdAnalyze.check()
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let parameters = ServiceFileParameters(binary: TestBinary.homeport, configFile: "/etc/homeport/my config.toml", stateDirectory: "/var/lib/homeport", logDirectory: "/unused")
        let path = dir.write("homeport.service", SystemdUnit.render(parameters))
        let result = try await Programs.run("/usr/bin/systemd-analyze", ["verify", path])
        #expect(result.exitCode == 0)
        // systemd-analyze exits 0 even for unknown keys and bad values; it only warns.
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")

        // And the check is able to fail.
        let broken = dir.write("broken.service", SystemdUnit.render(parameters).replacingOccurrences(of: "Restart=on-failure", with: "Restart=sometimes"))
        let complaint = try await Programs.run("/usr/bin/systemd-analyze", ["verify", broken])
        #expect(!complaint.stderr.isEmpty)
    }

    @Test func unitHasTheRestartAndHardeningSettings() {
        let unit = SystemdUnit.render(Self.packaged)
        for line in ["ExecStart=/usr/local/bin/homeport run --state-dir /var/lib/homeport", "Restart=on-failure", "StateDirectory=homeport",
                     "NoNewPrivileges=yes", "ProtectSystem=strict", "ExecReload=/bin/kill -HUP $MAINPID", "WantedBy=multi-user.target",
                     "User=homeport", "Group=homeport", "CapabilityBoundingSet=", "AmbientCapabilities="] {
            #expect(unit.contains("\n" + line + "\n"), "missing \(line)")
        }
        #expect(!unit.contains("\nReadWritePaths="))
        var withConfig = Self.packaged
        withConfig.configFile = "/etc/home port.toml"
        #expect(SystemdUnit.render(withConfig).contains(#"ExecStart=/usr/local/bin/homeport run --config "/etc/home port.toml" --state-dir /var/lib/homeport"#))
    }

    /// A state directory outside /var/lib is granted with ReadWritePaths= (ProtectSystem=strict
    /// would make it read-only) instead of a StateDirectory= for a directory the daemon does not use.
    @Test func aCustomStateDirectoryIsGrantedNotReplaced() async throws {
        var parameters = Self.packaged
        parameters.stateDirectory = "/srv/home port/state"
        let unit = SystemdUnit.render(parameters)
        #expect(unit.contains("\nReadWritePaths=\"/srv/home port/state\"\n"), "\(unit)")
        #expect(!unit.contains("StateDirectory="))
        parameters.stateDirectory = "/var/lib/homeport-b"
        #expect(SystemdUnit.render(parameters).contains("\nStateDirectory=homeport-b\n"))
        parameters.stateDirectory = "/var/lib/private/x"
        #expect(SystemdUnit.render(parameters).contains("\nReadWritePaths=/var/lib/private/x\n"))

        // Through the command, with the state directory named only in the config file.
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = dir.write("homeport.toml", "[daemon]\nstate_dir = \"/srv/homeport\"\n")
        let printed = try await Homeport.run(["service", "print", "--kind", "systemd", "--config", config, "--binary", "/usr/bin/homeport"])
        #expect(printed.stdout.contains("\nExecStart=/usr/bin/homeport run --config \(config) --state-dir /srv/homeport\n"), "\(printed.stdout)")
        #expect(printed.stdout.contains("\nReadWritePaths=/srv/homeport\n"))
        #expect(!printed.stdout.contains("StateDirectory=homeport"))
    }

    /// No capability unless a built-in server is configured below port 1024, then only the one
    /// that binds it.
    @Test func capabilitiesOnlyForPrivilegedPorts() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let plain = try await Homeport.run(["service", "print", "--kind", "systemd", "--config", dir.write("a.toml", ""), "--binary", "/usr/bin/homeport"])
        #expect(plain.stdout.contains("\nCapabilityBoundingSet=\nAmbientCapabilities=\n"), "\(plain.stdout)")
        let low = try await Homeport.run(["service", "print", "--kind", "systemd", "--config", dir.write("b.toml", "[relay]\nport = 443\n"), "--binary", "/usr/bin/homeport"])
        #expect(low.stdout.contains("\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\nAmbientCapabilities=CAP_NET_BIND_SERVICE\n"), "\(low.stdout)")
    }

    /// `systemd-analyze security` rates the unit OK with a score under 2.5 (the root unit was 5.7 MEDIUM),
    /// with and without the one capability.
    @Test(.enabled(if: ToolRequirement.systemdAnalyze.shouldRun(), Comment(rawValue: ToolRequirement.systemdAnalyze.skipMessage)))
    func systemdRatesTheUnitOK() async throws {
        try ToolRequirement.systemdAnalyze.check()
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var parameters = Self.packaged
        for privileged in [false, true] {
            parameters.bindsPrivilegedPorts = privileged
            let path = dir.write("homeport.service", SystemdUnit.render(parameters))
            let result = try await Programs.run("/usr/bin/systemd-analyze", ["security", "--offline=yes", path])
            let verdict = try #require(result.stdout.split(separator: "\n").last { $0.contains("Overall exposure level") }, "\(result.stdout)\(result.stderr)")
            let words = verdict.split(separator: " ")
            let score = try #require(words.compactMap { Double($0) }.first, "\(verdict)")
            // 3.1 before SystemCallFilter=@system-service; the filter is what brings it under 2.5.
            #expect(score < 2.5, "\(verdict)")
            #expect(["OK", "SAFE", "PERFECT"].contains { words.contains(Substring($0)) }, "\(verdict)")
        }
    }

    @Test func plistParsesWithTheRequiredKeys() throws {
        var parameters = Self.packaged
        parameters.configFile = "/Users/ann/Library/Application Support/homeport/a&b.toml"
        let data = Data(LaunchdPlist.render(parameters).utf8)
        let plist = try #require(try PropertyListSerialization.propertyList(from: data, options: [], format: nil) as? [String: Any])
        #expect(plist["Label"] as? String == "dev.homeport")
        #expect(plist["ProgramArguments"] as? [String] == ["/usr/local/bin/homeport", "run", "--config", "/Users/ann/Library/Application Support/homeport/a&b.toml", "--state-dir", "/var/lib/homeport"])
        #expect(plist["RunAtLoad"] as? Bool == true)
        #expect(plist["KeepAlive"] as? Bool == true)
        #expect(plist["StandardOutPath"] as? String == "/Library/Logs/homeport/homeport.log")
        #expect(plist["StandardErrorPath"] as? String == "/Library/Logs/homeport/homeport.log")
    }

    /// A unit pointing into the build tree (replaced by the next build, hidden by PrivateTmp
    /// when the checkout is under /tmp) is refused with the way out.
    @Test func aBuildOutputIsNotInstalledAsTheService() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let refused = try await Homeport.run(["service", "install", "--kind", "systemd", "--directory", dir.file("units"), "--state-dir", "/var/lib/homeport"])
        #expect(refused.exitCode == 1)
        #expect(refused.stderr.contains("\(TestBinary.homeportResolved) is a build output that the next `swift build` replaces; install it first (`sudo \(TestBinary.homeportResolved) install` puts it in /usr/local/bin)"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("units/homeport.service")))
        let printed = try await Homeport.run(["service", "print", "--kind", "systemd", "--state-dir", "/var/lib/homeport"])
        #expect(printed.exitCode == 0)
        #expect(printed.stderr.contains("is a build output"), "print shows the file but warns")
    }

    /// `homeport install --prefix P` puts a working copy in P/bin; a service file written by
    /// that copy points at it.
    @Test(.enabled(if: geteuid() == 0, "needs root for a prefix outside /tmp (PrivateTmp hides /tmp from the service)"))
    func installCopiesTheBinaryAndTheServicePointsAtTheCopy() async throws {
        var template = Array("/var/lib/homeport-install-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        let prefix = try #require(made.map { String(cString: $0) })
        chmod(prefix, 0o755)
        defer { try? FileManager.default.removeItem(atPath: prefix) }
        let install = try await Homeport.run(["install", "--prefix", prefix])
        #expect(install.exitCode == 0, "\(install.stderr)")
        #expect(install.stdout.hasPrefix("Installed \(prefix)/bin/homeport (homeport "), "\(install.stdout)")
        let installed = prefix + "/bin/homeport"
        #expect(try await Programs.run(installed, ["version"]).stdout.hasPrefix("homeport "))
        let again = try await Programs.run(installed, ["install", "--prefix", prefix])
        #expect(again.stdout == "\(installed) is this binary already.\n")
        let units = prefix + "/units"
        let service = try await Programs.run(installed, ["service", "install", "--kind", "systemd", "--directory", units, "--state-dir", "/var/lib/homeport"])
        #expect(service.exitCode == 0, "\(service.stderr)")
        let unit = try String(contentsOfFile: units + "/homeport.service", encoding: .utf8)
        #expect(unit.contains("\nExecStart=\(installed) run --state-dir /var/lib/homeport\n"), "\(unit)")
    }

    @Test func installAndUninstallSayWhatToRunNext() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let target = dir.file("units")
        let install = try await Homeport.run(["service", "install", "--kind", "systemd", "--directory", target, "--state-dir", "/var/lib/homeport", "--binary", "/usr/local/bin/homeport"])
        #expect(install.exitCode == 0)
        #expect(install.stdout == "Installed \(target)/homeport.service.\nNext, start it now and at every boot with:\n  systemctl daemon-reload && systemctl enable --now homeport\n")
        let installed = try String(contentsOfFile: target + "/homeport.service", encoding: .utf8)
        #expect(installed.contains("ExecStart=/usr/local/bin/homeport run --state-dir /var/lib/homeport"))

        let printed = try await Homeport.run(["service", "print", "--kind", "systemd", "--state-dir", "/var/lib/homeport", "--binary", "/usr/local/bin/homeport"])
        #expect(printed.stdout == installed)

        let uninstall = try await Homeport.run(["service", "uninstall", "--kind", "systemd", "--directory", target])
        #expect(uninstall.exitCode == 0)
        #expect(uninstall.stdout.contains("Next, stop the running service with:\n  systemctl stop homeport; systemctl daemon-reload"))
        #expect(!FileManager.default.fileExists(atPath: target + "/homeport.service"))
        let again = try await Homeport.run(["service", "uninstall", "--kind", "systemd", "--directory", target])
        #expect(again.exitCode == 1)
        #expect(again.stderr == "homeport: Nothing to uninstall: \(target)/homeport.service does not exist.\n")

        let agent = try await Homeport.run(["service", "install", "--kind", "launchd", "--directory", target, "--state-dir", "/s", "--binary", "/usr/local/bin/homeport"])
        #expect(agent.stdout.contains("launchctl bootstrap system \(target)/dev.homeport.plist"))
    }
}
