import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

private let canSwitchUser = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")

/// Who may touch the state directory and its key files, and what users without access are
/// told: the real binary on real directories, owners and modes.
@Suite(.serialized) struct StateDirectoryAccessTests {
    private func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
    }

    @Test func aWorldWritableStateDirectoryIsTightenedWithAWarning() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let state = dir.file("state")
        mkdir(state, 0o700)
        chmod(state, 0o777)
        let output = try await Homeport.run(["keygen", "--state-dir", state])
        #expect(output.exitCode == 0, "\(output.stderr)")
        #expect(output.stderr.contains("homeport: warning: State directory \(state) had mode 0777, so other users could replace its key files and history; changed it to 0700."), "\(output.stderr)")
        #expect(mode(state) == 0o700)
    }

    @Test(.enabled(if: canSwitchUser, "needs root to hand a directory to another user"))
    func aStateDirectoryOwnedByAnotherUserIsRefused() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let state = dir.file("state")
        mkdir(state, 0o700)
        chown(state, 65534, 65534)
        let output = try await Homeport.run(["keygen", "--state-dir", state])
        #expect(output.exitCode == 1)
        #expect(output.stderr.contains("State directory \(state) belongs to nobody, not to root that homeport runs as; another user could replace its key files."), "\(output.stderr)")
        #expect(!FileManager.default.fileExists(atPath: state + "/id_ed25519"))
    }

    @Test func aSecretKeyOthersCanReadIsRefusedWithTheChmodToRun() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let key = dir.write("id_ed25519", RustDeskWireKeyTests.secretBase64, mode: 0o644)
        for arguments in [["keygen"], ["keygen", "--check"]] {
            let output = try await Homeport.run(arguments + ["--state-dir", dir.path])
            #expect(output.exitCode == 1, "\(arguments)")
            #expect(output.stderr.contains("the server key file \(key) has mode 0644, so other users can read or change it, and homeport refuses it (as ssh does); run `chmod 600 \(key)`"), "\(output.stderr)")
            #expect(!output.stdout.contains(RustDeskWireKeyTests.publicBase64))
        }
        #expect(mode(key) == 0o644, "refused, not silently changed")
    }

    @Test(.enabled(if: canSwitchUser, "needs root to hand a file to another user"))
    func keyFilesOwnedByAnotherUserAreRefused() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let key = dir.write("id_ed25519", RustDeskWireKeyTests.secretBase64)
        chown(key, 65534, 65534)
        var output = try await Homeport.run(["keygen", "--state-dir", dir.path])
        #expect(output.exitCode == 1)
        #expect(output.stderr.contains("the key file \(key) belongs to uid 65534, not to uid 0 that homeport runs as"), "\(output.stderr)")

        chown(key, 0, 0)
        let pub = dir.write("id_ed25519.pub", RustDeskWireKeyTests.publicBase64, mode: 0o666)
        output = try await Homeport.run(["keygen", "--check", "--state-dir", dir.path])
        #expect(output.exitCode == 1)
        #expect(output.stderr.contains("the public key file \(pub) has mode 0666, so other users can change it; run `chmod 600 \(pub)`."), "\(output.stderr)")
    }

    @Test(.enabled(if: canSwitchUser, "needs root to switch to another user"))
    func aConfigFileBehindAPrivateDirectoryIsPermissionDeniedNotMissing() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = dir.write("homeport.toml", "[daemon]\n")
        let output = try await Programs.run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", TestBinary.homeport, "config", "check", "--config", config])
        #expect(output.exitCode == 78)
        #expect(output.stderr == "homeport: \(config): permission denied: this user may not enter a directory above it; run as the user that owns it (or with sudo)\n")
    }

    /// Monitoring run as another user must hear "permission denied", not "down".
    @Test(.enabled(if: canSwitchUser, "needs root to switch to another user"))
    func usersWithoutAccessAreToldPermissionDenied() async throws {
        var daemon = DaemonHarness(config: "")
        defer { daemon.remove() }
        try await daemon.start()
        // The temporary directory itself is passable; the 0700 state directory is not.
        chmod(daemon.dir.path, 0o755)
        let state = daemon.stateDirectory
        #expect(mode(state) == 0o700)
        let asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups", TestBinary.homeport]
        let status = try await Programs.run("/usr/bin/setpriv", asNobody + ["status", "--state-dir", state])
        #expect(status.exitCode == 4, "\(status.stdout)\(status.stderr)")
        let history = try await Programs.run("/usr/bin/setpriv", asNobody + ["history", "events", "--state-dir", state])
        #expect(history.exitCode == 1)
        let admin = try await Programs.run("/usr/bin/setpriv", asNobody + ["admin", "--state-dir", state])
        #expect(admin.exitCode == 1)
        let sentence = "homeport: permission denied: \(state) belongs to root:root with mode 0700, and this command runs as nobody (uid 65534); run it with sudo\n"
        for output in [status, history, admin] {
            #expect(output.stderr.hasSuffix(sentence), "\(output.stderr)")
            #expect(!output.stdout.contains("not running") && !output.stdout.contains("never"), "\(output.stdout)")
            #expect(!output.stderr.contains("not running") && !output.stderr.contains("does not exist"), "\(output.stderr)")
        }
        daemon.process?.signal(SIGTERM)
        #expect(try await daemon.process?.wait() == .exited(0))
    }
}
