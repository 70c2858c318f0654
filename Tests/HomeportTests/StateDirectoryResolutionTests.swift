import Foundation
import Rendezvous
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Every command finds the state directory by the same rule (`--state-dir`, HOMEPORT_STATE_DIR,
/// the config's `[daemon] state_dir`, the OS default): with the directory named only in the
/// config file, `keygen`, `admin` and `peers import` use the daemon's key, socket and database,
/// and create nothing in the OS default directory.
@Suite struct StateDirectoryResolutionTests {
    /// A user whose OS default state directory lies inside the test's directory: as root that
    /// is nobody (root's default, /var/lib/homeport, is the machine's own), otherwise this user.
    struct Scene {
        let dir = TemporaryDirectory()
        var configured: String { dir.file("configured-state") }
        var xdgState: String { dir.file("xdg-state") }
        var configPath: String { dir.file("homeport.toml") }

        init() {
            _ = dir.write("homeport.toml", "[daemon]\nstate_dir = \"\(dir.file("configured-state"))\"\n", mode: 0o644)
        }

        /// The default state directory of the user `run` runs as.
        var defaultStateDirectory: String { xdgState + "/homeport" }

        /// `homeport` as that user, with only the config file named (through HOMEPORT_CONFIG).
        func run(_ arguments: [String]) async throws -> Homeport.Output {
            let environment = ["HOMEPORT_CONFIG": configPath, "HOME": dir.path, "XDG_STATE_HOME": xdgState]
            guard getuid() == 0 else { return try await Homeport.run(arguments, environment: environment) }
            _ = try await Programs.run("/bin/chown", ["-R", "65534:65534", dir.path])
            return try await Programs.run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", TestBinary.homeport] + arguments,
                                          environment: environment)
        }
    }

    @Test func keygenPrintsTheKeyOfTheConfiguredStateDirectory() async throws {
        let scene = Scene()
        defer { scene.dir.remove() }
        let made = try await scene.run(["keygen", "--state-dir", scene.configured])
        #expect(made.exitCode == 0, "\(made.stderr)")
        let publicKey = try String(contentsOfFile: scene.configured + "/id_ed25519.pub", encoding: .utf8)

        let shown = try await scene.run(["keygen"])
        #expect(shown.exitCode == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("Public key: \(publicKey)"), "\(shown.stdout)")
        let checked = try await scene.run(["keygen", "--check"])
        #expect(checked.stdout.contains("The key pair in \(scene.configured) is valid"), "\(checked.stdout) \(checked.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scene.defaultStateDirectory), "keygen created a directory the daemon does not use")
        #expect(!FileManager.default.fileExists(atPath: scene.xdgState))
    }

    @Test func peersImportWritesTheConfiguredDatabase() async throws {
        let scene = Scene()
        defer { scene.dir.remove() }
        let source = scene.dir.file("hbbs-db_v2.sqlite3")
        try RendezvousImportTests.makeHbbsDatabase(at: source)
        let output = try await scene.run(["peers", "import", source])
        #expect(output.exitCode == 0, "\(output.stderr)")
        #expect(try PeerStore(path: scene.configured + "/db_v2.sqlite3").count() == RendezvousImportTests.peers.count)
        #expect(!FileManager.default.fileExists(atPath: scene.xdgState), "peers import wrote where the daemon does not look")
    }

    @Test func aConfigErrorStopsKeygenInsteadOfUsingAnotherDirectory() async throws {
        let scene = Scene()
        defer { scene.dir.remove() }
        _ = scene.dir.write("homeport.toml", "[daemon]\nstate_dir = 5\n", mode: 0o644)
        let output = try await scene.run(["keygen"])
        #expect(output.exitCode == 78, "\(output.stdout)")
        #expect(output.stderr.contains(scene.configPath), "\(output.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scene.xdgState))
    }

    @Test func adminFindsTheRunningDaemonsServerThroughTheConfig() async throws {
        let port = TestPorts.random()
        var daemon = DaemonHarness(config: "", builtins: true)
        defer { daemon.remove() }
        daemon.rewriteConfig("[daemon]\nstate_dir = \"\(daemon.stateDirectory)\"\n\n[rendezvous]\nport = \(port)\n\n[relay]\nenabled = false\n", builtins: true)
        try await daemon.start()
        let healthy = await eventually(timeout: .seconds(20)) {
            (try? await daemon.service("rendezvous"))?.healthy == true
        }
        #expect(healthy, "\(daemon.log)")
        let publicKey = try String(contentsOfFile: daemon.stateDirectory + "/id_ed25519.pub", encoding: .utf8)

        let output = try await Homeport.run(["admin", "status"], environment: ["HOMEPORT_CONFIG": daemon.configPath])
        #expect(output.exitCode == 0, "\(output.stderr)")
        let reply = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        #expect(reply?["public_key"] as? String == publicKey, "\(output.stdout)")
        daemon.process?.signal(SIGTERM)
        #expect(try await daemon.process?.wait() == .exited(0))
    }
}
