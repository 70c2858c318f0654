import Daemon
import Foundation
import StatusModel
import Supervisor

#if canImport(Glibc)
import Glibc
#endif

/// A `homeport run` under test, with its own config and state directory.
struct DaemonHarness {
    let dir: TemporaryDirectory
    let configPath: String
    let stateDirectory: String
    var process: HomeportProcess?

    /// The built-in servers are off unless the test's config turns them on: tests run in
    /// parallel and must not fight over their fixed default ports.
    /// Public-address detection and the router are off too unless the config has its own
    /// [ip]/[router]: tests may contact only loopback and their own namespaces.
    init(config: String, builtins: Bool = false) {
        dir = TemporaryDirectory()
        configPath = dir.write("homeport.toml", Self.prefix(for: config, builtins: builtins) + config)
        stateDirectory = dir.file("state")
    }

    /// Replaces the config file, keeping the built-in servers off as `init` did.
    func rewriteConfig(_ text: String, builtins: Bool = false) {
        _ = dir.write("homeport.toml", Self.prefix(for: text, builtins: builtins) + text)
    }

    static func prefix(for config: String, builtins: Bool) -> String {
        var prefix = builtins ? "" : "[rendezvous]\nenabled = false\n\n[relay]\nenabled = false\n\n"
        if !config.contains("[ip]") { prefix += "[ip]\nenabled = false\n\n" }
        if !config.contains("[router]") { prefix += "[router]\nenabled = false\n\n" }
        return prefix
    }

    var locationArguments: [String] { ["--config", configPath, "--state-dir", stateDirectory] }

    /// `isolatedNetwork`: the daemon runs in a namespace with only loopback (see `HomeportProcess`),
    /// so no interface address of the test host can count as a public one.
    mutating func start(isolatedNetwork: Bool = false) async throws {
        process = try await HomeportProcess.start(["run"] + locationArguments, logPath: dir.file("daemon.log"), isolatedNetwork: isolatedNetwork)
        let started = await eventually(timeout: .seconds(15)) { (try? await status()) != nil }
        if !started { throw TestFailure("the daemon did not answer status; log:\n\(log)") }
    }

    var log: String { process?.log ?? "" }

    /// `homeport status --json` from the running daemon (throws when it does not answer).
    func status() async throws -> DaemonStatus {
        let output = try await Homeport.run(["status", "--json"] + locationArguments)
        guard output.exitCode == 0 else { throw TestFailure("status exited \(output.status): \(output.stderr)") }
        return try StatusJSON.decoder().decode(DaemonStatus.self, from: Data(output.stdout.utf8))
    }

    func service(_ name: String) async throws -> ServiceStatus? {
        try await status().services.first { $0.name == name }
    }

    func homeport(_ arguments: [String]) async throws -> Homeport.Output {
        try await Homeport.run(arguments + locationArguments)
    }

    /// Removes the directory and, if a failed test left it running, kills the daemon (its
    /// children follow through their parent-death signal).
    func remove() {
        if let process, processExists(process.pid) { process.signal(SIGKILL) }
        dir.remove()
    }
}
