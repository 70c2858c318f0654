import Daemon
import Foundation
import History
import NIOCore
import NIOPosix
import StatusModel
import Subprocess
import Supervisor
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `homeport run` process, driven from outside as a user (or systemd) would.
@Suite(.serialized) struct DaemonIntegrationTests {
    @Test func supervisesExitsKillsAndCrashLoopsAndRecordsThem() async throws {
        var daemon = DaemonHarness(config: """
            [daemon]
            heartbeat_interval = "1s"

            [[service]]
            name = "flaky"
            command = "sh -c 'echo flaky is up; exit 3'"

            [[service]]
            name = "victim"
            command = ["sleep", "300"]
            """)
        defer { daemon.remove() }
        try await daemon.start()

        // kill -9 one child: it is restarted and the signal is recorded.
        #expect(await eventually { (try? await daemon.service("victim"))?.state == .running })
        let firstPID = try #require(try await daemon.service("victim")?.pid)
        kill(firstPID, SIGKILL)
        #expect(await eventually {
            guard let victim = try? await daemon.service("victim") else { return false }
            return victim.state == .running && victim.pid != firstPID && victim.restarts == 1
        })
        let victim = try #require(try await daemon.service("victim"))
        #expect(victim.lastExit?.signal == SIGKILL)
        #expect(victim.lastExit?.reason == "killed by signal 9 (SIGKILL)")
        #expect(victim.startedAt != nil)

        // The other keeps exiting and is marked crash-looping after five failures in a row.
        #expect(await eventually(timeout: .seconds(25)) { (try? await daemon.service("flaky"))?.state == .crashLooping })
        let flaky = try #require(try await daemon.service("flaky"))
        #expect(flaky.lastExit?.code == 3)
        #expect(flaky.restarts >= 4)
        #expect(flaky.consecutiveFailures >= 5)
        #expect(flaky.pid == nil)
        #expect(daemon.log.contains("[flaky] flaky is up"))

        // The raw JSON uses the documented names, in the one JSON style (README "JSON output").
        let raw = try await daemon.homeport(["status", "--json"]).stdout
        for key in ["\"state\" : \"crash-looping\"", "\"pid\" :", "\"restarts\" :", "\"last_exit\" :", "\"signal\" : 9", "\"code\" : 3"] {
            #expect(raw.contains(key), "status --json lacks \(key)")
        }

        // Every start and exit is in the history, with code or signal, at the back-off pace.
        let history = try await daemon.homeport(["history", "events", "--json", "--since", "1h", "--limit", "1000"])
        #expect(history.exitCode == 0)
        let decoder = StatusJSON.decoder()
        let events = try decoder.decode([ServiceEvent].self, from: Data(history.stdout.utf8))
        let victimExits = events.filter { $0.service == "victim" && $0.kind == .exit }
        #expect(victimExits.first?.signal == SIGKILL && victimExits.first?.pid == firstPID)
        let flakyStarts = events.filter { $0.service == "flaky" && $0.kind == .start }.map(\.time)
        let flakyExits = events.filter { $0.service == "flaky" && $0.kind == .exit }
        #expect(flakyExits.allSatisfy { $0.exitCode == 3 })
        #expect(events.contains { $0.service == "flaky" && $0.kind == .crashLoop })
        for (index, delay) in [0.5, 1.0, 2.0, 4.0].enumerated() where index + 1 < flakyStarts.count {
            let gap = flakyStarts[index + 1].timeIntervalSince(flakyExits[index].time)
            #expect(gap >= delay - 0.05 && gap < delay + 0.75, "restart \(index + 1) after \(gap) s, expected \(delay) s")
        }

        // SIGTERM: children stopped, exit status 0, clean stop recorded.
        let lastVictim = try #require(try await daemon.service("victim")?.pid)
        daemon.process?.signal(SIGTERM)
        let exit = try await daemon.process?.wait()
        #expect(exit == .exited(0))
        #expect(!processExists(lastVictim))
        let offline = try await daemon.homeport(["status"])
        #expect(offline.exitCode == 3)
        #expect(offline.stdout.contains("homeport is not running"))
        #expect(offline.stdout.contains("stopped cleanly"))
        #expect(offline.stdout.contains("victim"))
        #expect(offline.stdout.contains("killed by signal 15 (SIGTERM)"))
        let offlineJSON = try await daemon.homeport(["status", "--json"])
        let offlineStatus = try decoder.decode(DaemonStatus.self, from: Data(offlineJSON.stdout.utf8))
        #expect(offlineStatus.daemon.running == false)
        #expect(offlineStatus.daemon.lastRunEndedCleanly == true)
        #expect(Set(offlineStatus.services.map(\.name)) == ["flaky", "victim"])
    }

    @Test func sigtermStopsEveryChildAndGrandchild() async throws {
        var daemon = DaemonHarness(config: """
            [[service]]
            name = "family"
            command = "sh -c 'sleep 300 & sleep 301 & wait'"
            stop_timeout = "2s"

            [[service]]
            name = "stubborn"
            command = "sh -c 'trap \\"\\" TERM; while :; do sleep 0.2; done'"
            stop_timeout = "1s"
            """)
        defer { daemon.remove() }
        try await daemon.start()
        #expect(await eventually { (try? await daemon.status())?.services.allSatisfy { $0.state == .running } ?? false })
        let groups = try await daemon.status().services.compactMap(\.pid)
        #expect(groups.count == 2)
        #expect(await eventually { processesInGroup(groups[0]).count >= 3 }, "sh and both sleeps")
        let everyone = groups.flatMap(processesInGroup)
        daemon.process?.signal(SIGTERM)
        #expect(try await daemon.process?.wait() == .exited(0))
        #expect(everyone.allSatisfy { !processExists($0) }, "left running: \(everyone.filter(processExists))")
        #expect(groups.allSatisfy { processesInGroup($0).isEmpty })
        #expect(daemon.log.contains("did not stop within 1s of SIGTERM; sending SIGKILL"))
    }

    @Test func killDashNineTakesTheChildrenAlongAndKeepsTheHistory() async throws {
        var daemon = DaemonHarness(config: """
            [daemon]
            heartbeat_interval = "1s"

            [[service]]
            name = "worker"
            command = ["sleep", "300"]
            """)
        defer { daemon.remove() }
        try await daemon.start()
        #expect(await eventually { (try? await daemon.service("worker"))?.state == .running })
        let child = try #require(try await daemon.service("worker")?.pid)
        try await Task.sleep(for: .milliseconds(1500))  // at least one heartbeat
        daemon.process?.signal(SIGKILL)
        _ = try await daemon.process?.wait()
        #expect(await eventually(timeout: .seconds(3)) { !processExists(child) }, "the child outlived a kill -9 of the daemon")

        let store = try HistoryStore(path: daemon.stateDirectory + "/history.sqlite3", readOnly: true)
        #expect(try store.integrityCheck() == "ok")
        #expect(try store.events(service: "worker", since: .distantPast).contains { $0.kind == .start && $0.pid == child })
        let run = try #require(try store.latestDaemonRun())
        #expect(run.stoppedAt == nil)

        let offline = try await daemon.homeport(["status"])
        #expect(offline.exitCode == 3)
        #expect(offline.stdout.contains("ended without a clean stop"))

        // The next start takes over the lock and the stale socket, and counts the gap as down.
        try await daemon.start()
        #expect(await eventually { (try? await daemon.service("worker"))?.state == .running })
        let uptime = try await daemon.homeport(["history", "uptime", "--json", "--since", "1h"])
        #expect(uptime.stdout.contains("host or homeport down (no heartbeat)"), "\(uptime.stdout)")
        daemon.process?.signal(SIGTERM)
        #expect(try await daemon.process?.wait() == .exited(0))
    }

    @Test func pollGuardAlsoTakesChildrenAlongOnKillDashNine() async throws {
        var daemon = DaemonHarness(config: """
            [[service]]
            name = "worker"
            command = ["sleep", "300"]
            env = { HOMEPORT_CHILD_GUARD = "poll" }
            """)
        defer { daemon.remove() }
        try await daemon.start()
        #expect(await eventually { (try? await daemon.service("worker"))?.state == .running })
        let guardPID = try #require(try await daemon.service("worker")?.pid)
        #expect(await eventually { processesInGroup(guardPID).count == 2 })
        let group = processesInGroup(guardPID)
        daemon.process?.signal(SIGKILL)
        _ = try await daemon.process?.wait()
        #expect(await eventually(timeout: .seconds(10)) { group.allSatisfy { !processExists($0) } }, "left: \(group.filter(processExists))")
    }

    @Test func killDashNineWhileWritingLosesNoCommittedEvent() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var generator = SystemRandomNumberGenerator()
        for round in 0..<5 {
            let state = dir.file("state\(round)")
            let ids = dir.file("ids\(round)")
            let writer = try await HomeportProcess.start(["debug", "history-stress", "--state-dir", state], logPath: dir.file("log\(round)"), stdoutPath: ids)
            #expect(await eventually { ((try? String(contentsOfFile: ids, encoding: .utf8))?.count ?? 0) > 50 })
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...400, using: &generator)))
            writer.signal(SIGKILL)
            #expect(try await writer.wait() == .signaled(SIGKILL))
            // Only complete lines were acknowledged.
            let text = try String(contentsOfFile: ids, encoding: .utf8)
            let acknowledged = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().compactMap { Int64($0) }
            #expect(acknowledged.count > 10)
            let store = try HistoryStore(path: state + "/history.sqlite3", readOnly: true)
            #expect(try store.integrityCheck() == "ok")
            let stored = Set(try store.events(since: .distantPast).compactMap(\.id))
            let lost = acknowledged.filter { !stored.contains($0) }
            #expect(lost.isEmpty, "round \(round): \(lost.count) acknowledged events lost")
        }
    }

    @Test func sighupRestartsOnlyChangedServices() async throws {
        var daemon = DaemonHarness(config: """
            [[service]]
            name = "keep"
            command = ["sleep", "300"]

            [[service]]
            name = "change"
            command = ["sleep", "300"]
            """)
        defer { daemon.remove() }
        try await daemon.start()
        #expect(await eventually { (try? await daemon.status())?.services.allSatisfy { $0.state == .running } ?? false })
        let keepPID = try await daemon.service("keep")?.pid
        let changePID = try await daemon.service("change")?.pid

        // A broken file is refused and the running configuration stays.
        daemon.rewriteConfig("[[service]]\nname = \"keep\"\ncomand = [\"sleep\"]\n")
        daemon.process?.signal(SIGHUP)
        #expect(await eventually { daemon.log.contains("reload failed, keeping the running configuration") })
        // Line 3 of the text, after the harness's lines that turn the built-ins, [ip] and [router] off.
        let line = 3 + DaemonHarness.prefix(for: "", builtins: false).filter { $0 == "\n" }.count
        #expect(daemon.log.contains("homeport.toml:\(line): unknown key 'comand'"))
        #expect(try await daemon.service("keep")?.pid == keepPID)

        daemon.rewriteConfig("""
            [[service]]
            name = "keep"
            command = ["sleep", "300"]

            [[service]]
            name = "change"
            command = ["sleep", "301"]

            [[service]]
            name = "added"
            command = ["sleep", "300"]
            """)
        daemon.process?.signal(SIGHUP)
        #expect(await eventually {
            guard let services = try? await daemon.status().services else { return false }
            return services.count == 3 && services.allSatisfy { $0.state == .running } && services.first { $0.name == "change" }?.pid != changePID
        })
        #expect(try await daemon.service("keep")?.pid == keepPID)
        #expect(daemon.log.contains("reloaded: started added; restarted change; unchanged keep\n"), "\(daemon.log)")
        if let changePID { #expect(!processExists(changePID)) }
        daemon.process?.signal(SIGTERM)
        #expect(try await daemon.process?.wait() == .exited(0))
    }

    @Test func runsWithNoConfigurationFile() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let state = dir.file("state")
        let defaultConfigExists = FileManager.default.fileExists(atPath: "/etc/homeport/homeport.toml")
        // The embedded defaults ask internet echo services and the router: in a namespace of
        // its own the daemon reaches nobody, as tests must.
        let process = try await HomeportProcess.start(["run", "--state-dir", state], logPath: dir.file("log"), isolatedNetwork: true)
        let answered = await eventually(timeout: .seconds(15)) {
            (try? await Homeport.run(["status", "--json", "--state-dir", state]))?.exitCode == 0
        }
        #expect(answered, "\(process.log)")
        let output = try await Homeport.run(["status", "--json", "--state-dir", state])
        let status = try StatusJSON.decoder().decode(DaemonStatus.self, from: Data(output.stdout.utf8))
        #expect(status.daemon.running)
        if !defaultConfigExists { #expect(status.daemon.configFile == nil) }
        for file in ["", "/history.sqlite3", "/homeport.sock"] {
            let mode = try #require(FileManager.default.attributesOfItem(atPath: state + file)[.posixPermissions] as? Int)
            #expect(mode & 0o077 == 0, "\(state + file) is readable by others: \(String(mode, radix: 8))")
        }
        process.signal(SIGINT)
        #expect(try await process.wait() == .exited(0))
    }
}
