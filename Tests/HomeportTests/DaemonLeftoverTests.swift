import Daemon
import Foundation
import NIOCore
import NIOPosix
import Supervisor
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Processes a shell-started service leaves behind: a background job in its process group, a
/// TCP listener, a helper that called setsid(2) and an orphaned double-forked setsid helper.
/// The parent-death signal reaches only the service's first process, so these are what a
/// `kill -9 homeport` used to leave running.
@Suite(.serialized) struct DaemonLeftoverTests {
    static let members = ["shell", "sleeper", "listener", "setsid", "orphan"]

    /// A config whose service writes each process's pid to a file in `directory`.
    static func config(directory: String, port: Int) -> String {
        let script = [
            "echo $$ > \(directory)/shell",
            "sleep 1000 & echo $! > \(directory)/sleeper",
            "python3 -m http.server \(port) --bind 127.0.0.1 & echo $! > \(directory)/listener",
            "setsid sleep 1001 & echo $! > \(directory)/setsid",
            "(setsid sh -c 'echo $$ > \(directory)/orphan; exec sleep 1002' &)",
            "wait",
        ].joined(separator: "; ")
        return """
            [[service]]
            name = "web"
            command = ["sh", "-c", "\(script)"]
            health = "tcp:\(port)"
            health_interval = "1s"
            stop_timeout = "3s"
            """
    }

    /// Whether every process of `family` wrote its pid and the service accepts on `port`
    /// (within 30 s).
    static func serving(_ family: ProcessFamily, port: Int) async -> Bool {
        await eventually(timeout: .seconds(30)) {
            guard family.members() != nil else { return false }
            return await accepts(port: port)
        }
    }

    static func accepts(port: Int) async -> Bool {
        guard let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(1)).connect(host: "127.0.0.1", port: port).get() else { return false }
        try? await channel.close()
        return true
    }

    @Test func killDashNineLeavesNothingRunningAfterTheNextStart() async throws {
        var daemon = DaemonHarness(config: "")
        let pids = daemon.dir.file("pids")
        try FileManager.default.createDirectory(atPath: pids, withIntermediateDirectories: true)
        let port = TestPorts.random()
        daemon.rewriteConfig(Self.config(directory: pids, port: port))
        let family = ProcessFamily(directory: pids, names: Self.members)
        var seen: Set<PinnedProcess> = []
        defer {
            // Whatever the outcome, nothing this test started keeps running.
            for process in seen { process.kill() }
            for process in family.members()?.values.map({ $0 }) ?? [] { process.kill() }
            daemon.remove()
        }
        try await daemon.start()
        let up = await Self.serving(family, port: port)
        #expect(up, "\(daemon.log)")
        let old = try #require(family.members())
        seen.formUnion(old.values)
        let allAlive = old.values.allSatisfy { $0.isAlive }
        #expect(allAlive)
        // Give the daemon time to see them all (it scans every second).
        let record = daemon.stateDirectory + "/service-processes.json"
        _ = await eventually(timeout: .seconds(10)) {
            let text = (try? String(contentsOfFile: record, encoding: .utf8)) ?? ""
            return old.values.allSatisfy { text.contains("\"pid\":\($0.pid),") }
        }

        daemon.process?.signal(SIGKILL)
        _ = try await daemon.process?.wait()
        let oldShell = try #require(old["shell"])
        let oldListener = try #require(old["listener"])
        #expect(await eventually { !oldShell.isAlive }, "the parent-death signal ends the service's first process")
        #expect(oldListener.isAlive, "the listener outlives a kill -9 by itself (the case under test)")

        try FileManager.default.removeItem(atPath: pids)
        try FileManager.default.createDirectory(atPath: pids, withIntermediateDirectories: true)
        try await daemon.start()
        let gone = await eventually(timeout: .seconds(30)) { old.values.allSatisfy { !$0.isAlive } }
        #expect(gone, "left running from the previous run: \(old.filter { $0.value.isAlive })")
        // The service starts again and its new listener holds the port.
        let healthy = await eventually(timeout: .seconds(40)) {
            guard let web = try? await daemon.service("web") else { return false }
            return web.state == .running && web.healthy == true
        }
        let web = try? await daemon.service("web")
        #expect(healthy, "status: \(String(describing: web)); log:\n\(daemon.log)")
        let new = family.members()
        seen.formUnion(new?.values.map { $0 } ?? [])
        #expect(new?["listener"] != nil && new?["listener"] != oldListener)
        #expect(daemon.log.contains("left running by the previous homeport run"))
        #expect(!daemon.log.contains("already in use by another program"))

        daemon.process?.signal(SIGTERM)
        #expect(try await daemon.process?.wait() == .exited(0))
        let all = Array(seen)
        #expect(await eventually(timeout: .seconds(3)) { all.allSatisfy { !$0.isAlive } }, "left running: \(all.filter(\.isAlive))")
    }

    @Test func sigtermStopsHelpersThatLeftTheProcessGroup() async throws {
        var daemon = DaemonHarness(config: "")
        let pids = daemon.dir.file("pids")
        try FileManager.default.createDirectory(atPath: pids, withIntermediateDirectories: true)
        let port = TestPorts.random()
        daemon.rewriteConfig(Self.config(directory: pids, port: port))
        let family = ProcessFamily(directory: pids, names: Self.members)
        var seen: [PinnedProcess] = []
        defer {
            for process in seen { process.kill() }
            daemon.remove()
        }
        try await daemon.start()
        let up = await Self.serving(family, port: port)
        #expect(up, "\(daemon.log)")
        let members = try #require(family.members())
        seen = Array(members.values)
        let allAlive = seen.allSatisfy { $0.isAlive }
        #expect(allAlive)
        // The setsid helpers are in sessions of their own, out of reach of the group's signal.
        let group = processesInGroup(try #require(members["shell"]).pid)
        #expect(group.contains(try #require(members["sleeper"]).pid))
        #expect(!group.contains(try #require(members["setsid"]).pid))
        #expect(!group.contains(try #require(members["orphan"]).pid))

        daemon.process?.signal(SIGTERM)
        #expect(try await daemon.process?.wait() == .exited(0))
        let everyone = seen
        #expect(await eventually(timeout: .seconds(3)) { everyone.allSatisfy { !$0.isAlive } }, "left running: \(everyone.filter(\.isAlive))")
    }

    /// A service that double-forks a listener and exits: the listener is re-parented before
    /// anything saw it. The restart must not find the port held by it.
    @Test func aRestartIsNotBlockedByItsOwnDoubleForkedOrphan() async throws {
        var daemon = DaemonHarness(config: "")
        let pids = daemon.dir.file("pids")
        try FileManager.default.createDirectory(atPath: pids, withIntermediateDirectories: true)
        let port = TestPorts.random()
        daemon.rewriteConfig("""
            [[service]]
            name = "forker"
            command = ["sh", "-c", "(setsid sh -c 'echo $$ > \(pids)/orphan; exec python3 -m http.server \(port) --bind 127.0.0.1' &); sleep 3; exit 1"]
            health = "tcp:\(port)"
            health_interval = "1s"
            """)
        let family = ProcessFamily(directory: pids, names: ["orphan"])
        var seen: Set<PinnedProcess> = []
        defer {
            for process in seen { process.kill() }
            family.members()?["orphan"]?.kill()
            daemon.remove()
        }
        try await daemon.start()
        let up = await Self.serving(family, port: port)
        #expect(up, "\(daemon.log)")
        let first = try #require(family.members()?["orphan"])
        seen.insert(first)
        let restarted = await eventually(timeout: .seconds(40)) {
            guard let forker = try? await daemon.service("forker") else { return false }
            return forker.restarts >= 1 && forker.state == .running
        }
        let forker = try? await daemon.service("forker")
        #expect(restarted, "status: \(String(describing: forker)); log:\n\(daemon.log)")
        #expect(!first.isAlive, "the first run's orphan is still running")
        #expect(!daemon.log.contains("already in use by another program"))
        if let latest = family.members()?["orphan"] { seen.insert(latest) }

        daemon.process?.signal(SIGTERM)
        #expect(try await daemon.process?.wait() == .exited(0))
        if let latest = family.members()?["orphan"] { seen.insert(latest) }
        let all = Array(seen)
        #expect(await eventually(timeout: .seconds(3)) { all.allSatisfy { !$0.isAlive } }, "left running: \(all.filter(\.isAlive))")
    }
}
