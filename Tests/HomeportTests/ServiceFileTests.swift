import Foundation
import Testing
@testable import ServiceFiles

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
                     "NoNewPrivileges=yes", "ProtectSystem=strict", "ExecReload=/bin/kill -HUP $MAINPID", "WantedBy=multi-user.target"] {
            #expect(unit.contains("\n" + line + "\n"), "missing \(line)")
        }
        var withConfig = Self.packaged
        withConfig.configFile = "/etc/home port.toml"
        #expect(SystemdUnit.render(withConfig).contains(#"ExecStart=/usr/local/bin/homeport run --config "/etc/home port.toml" --state-dir /var/lib/homeport"#))
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

    @Test func installAndUninstallSayWhatToRunNext() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let target = dir.file("units")
        let install = try await Homeport.run(["service", "install", "--kind", "systemd", "--directory", target, "--state-dir", "/var/lib/homeport"])
        #expect(install.exitCode == 0)
        #expect(install.stdout == "Installed \(target)/homeport.service.\nNext, start it now and at every boot with:\n  systemctl daemon-reload && systemctl enable --now homeport\n")
        let installed = try String(contentsOfFile: target + "/homeport.service", encoding: .utf8)
        #expect(installed.contains("ExecStart=\(TestBinary.homeportResolved) run --state-dir /var/lib/homeport"))

        let printed = try await Homeport.run(["service", "print", "--kind", "systemd", "--state-dir", "/var/lib/homeport"])
        #expect(printed.stdout == installed)

        let uninstall = try await Homeport.run(["service", "uninstall", "--kind", "systemd", "--directory", target])
        #expect(uninstall.exitCode == 0)
        #expect(uninstall.stdout.contains("Next, stop the running service with:\n  systemctl stop homeport; systemctl daemon-reload"))
        #expect(!FileManager.default.fileExists(atPath: target + "/homeport.service"))
        let again = try await Homeport.run(["service", "uninstall", "--kind", "systemd", "--directory", target])
        #expect(again.exitCode == 1)
        #expect(again.stderr == "homeport: Nothing to uninstall: \(target)/homeport.service does not exist.\n")

        let agent = try await Homeport.run(["service", "install", "--kind", "launchd", "--directory", target, "--state-dir", "/s"])
        #expect(agent.stdout.contains("launchctl bootstrap system \(target)/dev.homeport.plist"))
    }
}
