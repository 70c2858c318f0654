import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The .deb built by packaging/debian/build-deb.sh, installed into a fresh Debian root made by
/// debootstrap (no Swift there) and used through chroot: the release binary runs on its own,
/// has its 85 providers, and the package's user, files and unit are as documented. Then the
/// plain-binary route: `homeport service install` in another fresh root creates the service
/// user and grants a custom state directory. And the unit under a real systemd, booted in
/// namespaces of its own by packaging/debian/boot-systemd.sh: started, sandboxed, reloaded and
/// stopped cleanly.
///
/// Slow (a debootstrap on the first run, cached afterwards), so it runs when HOMEPORT_DEB names
/// the package: .ci/run builds it and sets it.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["HOMEPORT_DEB"] != nil,
                             "set HOMEPORT_DEB to a .deb from packaging/debian/build-deb.sh (.ci/run does)"))
struct DebianPackageTests {
    static let tools = ToolRequirement(programs: ["/usr/sbin/debootstrap", "/usr/sbin/chroot", "/usr/bin/unshare", "/usr/bin/dpkg-deb"],
                                       needsRoot: true, apt: "debootstrap")
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The package, and a fresh root from packaging/debian/fresh-root.sh in a new directory
    /// (the caller removes it).
    static func freshRoot() async throws -> (deb: String, dir: TemporaryDirectory, root: String) {
        try tools.check()
        guard let deb = ProcessInfo.processInfo.environment["HOMEPORT_DEB"] else { throw TestFailure("HOMEPORT_DEB is not set") }
        let dir = TemporaryDirectory()
        let root = dir.file("root")
        let made = try await Programs.run(repository.appendingPathComponent("packaging/debian/fresh-root.sh").path, [root])
        guard made.exitCode == 0 else {
            dir.remove()
            throw TestFailure("fresh-root.sh failed: \(made.stderr)")
        }
        return (deb, dir, root)
    }

    /// A command inside the root, with /proc mounted there (homeport finds itself through
    /// /proc/self/exe) in a mount namespace that ends with the command.
    static func inRoot(_ root: String, _ command: [String]) async throws -> Homeport.Output {
        let script = #"mount -t proc proc "$1/proc" && root=$1 && shift && exec /usr/sbin/chroot "$root" "$@""#
        return try await Programs.run("/usr/bin/unshare", ["--mount", "--fork", "/bin/sh", "-c", script, "sh", root] + command,
                                      environment: ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root"])
    }

    static func owner(_ path: String) -> (user: uid_t, group: gid_t, mode: mode_t)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (info.st_uid, info.st_gid, info.st_mode & 0o7777)
    }

    @Test func thePackageInstallsAndWorksWithoutSwift() async throws {
        let (deb, dir, root) = try await Self.freshRoot()
        defer { dir.remove() }
        #expect(!FileManager.default.fileExists(atPath: root + "/usr/bin/swift"))
        let swiftLibraries = try await Programs.run("/usr/bin/find", [root, "-name", "libswiftCore*"])
        #expect(swiftLibraries.stdout.isEmpty, "the root has a Swift runtime: \(swiftLibraries.stdout)")

        try FileManager.default.copyItem(atPath: deb, toPath: root + "/tmp/homeport.deb")
        let install = try await Self.inRoot(root, ["dpkg", "-i", "/tmp/homeport.deb"])
        #expect(install.exitCode == 0, "\(install.stdout)\(install.stderr)")

        let version = try await Self.inRoot(root, ["homeport", "version"])
        #expect(version.exitCode == 0, "\(version.stderr)")
        #expect(version.stdout.hasPrefix("homeport "), "\(version.stdout)")
        let check = try await Self.inRoot(root, ["homeport", "config", "check"])
        #expect(check.exitCode == 0, "\(check.stdout)\(check.stderr)")
        let providers = try await Self.inRoot(root, ["homeport", "providers", "list"])
        #expect(providers.stdout.contains("\n85 providers, from the 85 built-in providers and /etc/homeport/providers (no such directory).\n"), "\(providers.stdout)\(providers.stderr)")
        let printed = try await Self.inRoot(root, ["homeport", "service", "print"])
        #expect(printed.exitCode == 0, "\(printed.stderr)")
        #expect(printed.stdout.contains("\nExecStart=/usr/bin/homeport run --state-dir /var/lib/homeport\n"), "\(printed.stdout)")
        #expect(printed.stdout.contains("\nUser=homeport\n"))

        // What the package put in place.
        let unit = try String(contentsOfFile: root + "/lib/systemd/system/homeport.service", encoding: .utf8)
        #expect(unit.contains("\nExecStart=/usr/bin/homeport run --config /etc/homeport/homeport.toml --state-dir /var/lib/homeport\n"), "\(unit)")
        #expect(unit.contains("\nUser=homeport\n") && unit.contains("\nStateDirectory=homeport\n") && unit.contains("\nCapabilityBoundingSet=\n"))
        let account = try await Self.inRoot(root, ["getent", "passwd", "homeport"])
        let fields = account.stdout.split(separator: ":")
        #expect(fields.count == 7 && fields[5] == "/var/lib/homeport" && fields[6].hasPrefix("/usr/sbin/nologin"), "\(account.stdout)")
        let uid = try #require(fields.count > 2 ? uid_t(fields[2]) : nil)
        let state = Self.owner(root + "/var/lib/homeport")
        #expect(state?.user == uid && state?.mode == 0o700)
        let config = Self.owner(root + "/etc/homeport/homeport.toml")
        #expect(config?.user == 0 && config?.mode == 0o640 && config?.group != 0)
        let conffiles = try await Self.inRoot(root, ["dpkg-query", "-W", "-f=${Conffiles}", "homeport"])
        #expect(conffiles.stdout.contains("/etc/homeport/homeport.toml"), "\(conffiles.stdout)")

        // The service account finds the daemon's files without flags.
        let keygen = try await Self.inRoot(root, ["setpriv", "--reuid=homeport", "--regid=homeport", "--init-groups", "homeport", "keygen"])
        #expect(keygen.exitCode == 0, "\(keygen.stderr)")
        #expect(keygen.stdout.contains("Key files: /var/lib/homeport/id_ed25519, /var/lib/homeport/id_ed25519.pub"), "\(keygen.stdout)")
        let status = try await Self.inRoot(root, ["homeport", "status"])
        #expect(status.exitCode == 3, "not running: \(status.stdout)\(status.stderr)")

        let purge = try await Self.inRoot(root, ["dpkg", "--purge", "homeport"])
        #expect(purge.exitCode == 0, "\(purge.stdout)\(purge.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/usr/bin/homeport"))
        #expect(!FileManager.default.fileExists(atPath: root + "/var/lib/homeport"))
        #expect(!FileManager.default.fileExists(atPath: root + "/etc/homeport"))
    }

    @Test func serviceInstallCreatesTheUserAndGrantsACustomStateDirectory() async throws {
        let (deb, dir, root) = try await Self.freshRoot()
        defer { dir.remove() }
        let extracted = dir.file("deb")
        let unpack = try await Programs.run("/usr/bin/dpkg-deb", ["-x", deb, extracted])
        #expect(unpack.exitCode == 0, "\(unpack.stderr)")
        try FileManager.default.copyItem(atPath: extracted + "/usr/bin/homeport", toPath: root + "/usr/local/bin/homeport")

        let install = try await Self.inRoot(root, ["homeport", "service", "install", "--state-dir", "/srv/homeport"])
        #expect(install.exitCode == 0, "\(install.stdout)\(install.stderr)")
        #expect(install.stdout.contains("Created the system user homeport"), "\(install.stdout)")
        #expect(install.stdout.contains("Gave /srv/homeport to homeport (the unit grants it with ReadWritePaths=)."), "\(install.stdout)")
        let unit = try String(contentsOfFile: root + "/etc/systemd/system/homeport.service", encoding: .utf8)
        #expect(unit.contains("\nExecStart=/usr/local/bin/homeport run --state-dir /srv/homeport\n"), "\(unit)")
        #expect(unit.contains("\nReadWritePaths=/srv/homeport\n"))
        #expect(!unit.contains("StateDirectory="))
        let account = try await Self.inRoot(root, ["id", "-u", "homeport"])
        let uid = try #require(uid_t(account.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(account.stdout)\(account.stderr)")
        #expect(Self.owner(root + "/srv/homeport")?.user == uid)
        #expect(Self.owner(root + "/srv/homeport")?.mode == 0o700)
    }

    /// The installed unit under a real systemd (PID 1 of its own namespaces, network with only
    /// loopback): homeport starts as the `homeport` user with no capabilities, no new privileges
    /// and the system-call filter in force, runs a `[[service]]`, survives `systemctl reload`
    /// with the same pid and stops cleanly without leaving the service's process behind.
    @Test func theUnitRunsSandboxedUnderSystemd() async throws {
        let (deb, dir, root) = try await Self.freshRoot()
        defer { dir.remove() }
        try FileManager.default.copyItem(atPath: deb, toPath: root + "/tmp/homeport.deb")
        let install = try await Self.inRoot(root, ["dpkg", "-i", "/tmp/homeport.deb"])
        #expect(install.exitCode == 0, "\(install.stdout)\(install.stderr)")
        let config = root + "/etc/homeport/homeport.toml"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: config))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\n[[service]]\nname = \"sleeper\"\ncommand = [\"sleep\", \"1000\"]\n".utf8))
        try handle.close()

        let boot = try await SystemdBoot.start(root: root)
        defer { boot.stop() }
        let booted = await eventually(timeout: .seconds(60), every: .milliseconds(500)) {
            let state = (try? await boot.run(["systemctl", "is-system-running"]))?.stdout ?? ""
            return state.hasPrefix("running") || state.hasPrefix("degraded")
        }
        try #require(booted, "systemd did not come up in the root")

        let start = try await boot.run(["systemctl", "enable", "--now", "homeport"])
        #expect(start.exitCode == 0, "\(start.stdout)\(start.stderr)")
        let running = await eventually(timeout: .seconds(30), every: .milliseconds(500)) {
            let status = try? await boot.run(["homeport", "status"])
            return status?.exitCode == 0 && status?.stdout.contains("sleeper") == true
                && status?.stdout.split(separator: "\n").contains { $0.hasPrefix("sleeper") && $0.contains("running") } == true
        }
        let journal = { (try? await boot.run(["journalctl", "-u", "homeport", "--no-pager"]))?.stdout ?? "" }
        let startLog = await journal()
        #expect(running, "\(startLog)")
        let mainPID = try await boot.run(["systemctl", "show", "homeport", "-p", "MainPID", "--value"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let uid = try await boot.run(["id", "-u", "homeport"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let sandbox = try await boot.run(["cat", "/proc/\(mainPID)/status"]).stdout
        let lines = Set(sandbox.split(separator: "\n").map { $0.replacingOccurrences(of: "\t", with: " ") })
        #expect(lines.contains("Uid: \(uid) \(uid) \(uid) \(uid)"), "\(sandbox)")
        #expect(lines.contains("CapEff: 0000000000000000"), "\(sandbox)")
        #expect(lines.contains("NoNewPrivs: 1"), "\(sandbox)")
        #expect(lines.contains("Seccomp: 2"), "\(sandbox)")
        // The running unit as systemd itself rates it (3.1 without SystemCallFilter=).
        let security = try await boot.run(["systemd-analyze", "security", "homeport", "--no-pager"])
        let verdict = security.stdout.split(separator: "\n").last { $0.contains("Overall exposure level") } ?? ""
        let score = verdict.split(separator: " ").compactMap { Double($0) }.first
        #expect(score.map { $0 < 2.5 } == true, "\(verdict)\(security.stderr)")

        let reload = try await boot.run(["systemctl", "reload", "homeport"])
        #expect(reload.exitCode == 0, "\(reload.stdout)\(reload.stderr)")
        let reloaded = await eventually(timeout: .seconds(10)) { await journal().contains("SIGHUP: reloading") }
        let reloadLog = await journal()
        #expect(reloaded, "\(reloadLog)")
        let afterReload = try await boot.run(["systemctl", "show", "homeport", "-p", "MainPID", "-p", "ActiveState"]).stdout
        #expect(afterReload.contains("MainPID=\(mainPID)\n") && afterReload.contains("ActiveState=active"), "\(afterReload)")

        let stop = try await boot.run(["systemctl", "stop", "homeport"])
        #expect(stop.exitCode == 0, "\(stop.stderr)")
        let result = try await boot.run(["systemctl", "show", "homeport", "-p", "Result", "-p", "ExecMainStatus", "-p", "ActiveState"]).stdout
        let stopLog = await journal()
        #expect(result.contains("Result=success") && result.contains("ExecMainStatus=0") && result.contains("ActiveState=inactive"),
                "\(result)\n\(stopLog)")
        let left = try await boot.run(["pgrep", "-u", "homeport", "-a", "."])
        #expect(left.stdout.isEmpty, "left running after the stop: \(left.stdout)")
    }
}

/// systemd booted in `root` by packaging/debian/boot-systemd.sh; commands run inside it with
/// nsenter. `stop()` ends the namespace (the script then removes its cgroups).
struct SystemdBoot {
    let root: String
    let pid: String
    let script: Task<Homeport.Output, any Error>

    static func start(root: String) async throws -> SystemdBoot {
        let path = DebianPackageTests.repository.appendingPathComponent("packaging/debian/boot-systemd.sh").path
        let script = Task { try await Programs.run(path, [root]) }
        let pidFile = root + ".boot-pid"
        let started = await eventually(timeout: .seconds(30)) { FileManager.default.fileExists(atPath: pidFile) }
        guard started, let text = try? String(contentsOfFile: pidFile, encoding: .utf8) else {
            script.cancel()
            throw TestFailure("boot-systemd.sh did not start systemd in \(root)")
        }
        return SystemdBoot(root: root, pid: text.trimmingCharacters(in: .whitespacesAndNewlines), script: script)
    }

    func run(_ command: [String]) async throws -> Homeport.Output {
        try await Programs.run("/usr/bin/nsenter", ["-t", pid, "-a", "-r", "-w"] + command,
                               environment: ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"])
    }

    /// SIGKILL to the namespace's PID 1 ends every process in it.
    func stop() {
        if let value = Int32(pid) { kill(value, SIGKILL) }
    }
}
