import Daemon
import Foundation
import NIOCore
import NIOPosix
import Supervisor
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What a user sees when something is wrong: one sentence that says what and where, never a
/// stack trace.
@Suite(.serialized) struct ErrorMessageTests {
    @Test func aTypoInTheConfigNamesFileLineAndValidKeys() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = dir.write("homeport.toml", "[[service]]\nname = \"web\"\ncomand = [\"x\"]\n")
        for command in [["run"], ["config", "check"]] {
            let output = try await Homeport.run(command + ["--config", config, "--state-dir", dir.file("state")])
            #expect(output.exitCode == 78)
            #expect(output.stderr == "homeport: \(config):3: unknown key 'comand' in [[service]] #1 (did you mean 'command'?); valid keys: command, enabled, env, health, health_interval, name, restart, stop_timeout, working_dir\n")
        }
    }

    @Test func aMissingConfigFileIsOneSentence() async throws {
        let output = try await Homeport.run(["run", "--config", "/nonexistent/homeport.toml", "--state-dir", "/tmp/unused"])
        #expect(output.exitCode == 78)
        #expect(output.stderr == "homeport: /nonexistent/homeport.toml: no such file; create one with `homeport config example > /nonexistent/homeport.toml` or leave out --config to run on the built-in defaults\n")
    }

    @Test func anUnusableStateDirectoryIsOneSentence() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let file = dir.write("plain-file", "x")
        let output = try await Homeport.run(["run", "--state-dir", file + "/state"])
        #expect(output.exitCode == 1)
        #expect(output.stderr == "homeport: State directory \(file)/state cannot be created: \(file) exists and is not a directory.\n")
    }

    @Test(.enabled(if: ToolRequirement.setpriv.shouldRun(), Comment(rawValue: ToolRequirement.setpriv.skipMessage)))
    func anUnwritableStateDirectoryIsOneSentence() async throws {
        try ToolRequirement.setpriv.check()
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        chmod(dir.path, 0o755)
        let state = dir.file("state")
        mkdir(state, 0o700)
        let output = try await Programs.run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", TestBinary.homeport, "run", "--state-dir", state])
        #expect(output.exitCode == 1)
        #expect(output.stderr == "homeport: State directory \(state) is not writable by this user (Permission denied); fix its permissions or pass --state-dir with a writable directory.\n")
    }

    @Test func aSecondDaemonOnTheSameStateIsRefused() async throws {
        var daemon = DaemonHarness(config: "")
        defer { daemon.remove() }
        try await daemon.start()
        let second = try await daemon.homeport(["run"])
        #expect(second.exitCode == 1)
        #expect(second.stderr == "homeport: Another homeport daemon (pid \(daemon.process?.pid ?? 0)) is already running with state directory \(daemon.stateDirectory); stop it first or use a different --state-dir.\n")
        daemon.process?.signal(SIGTERM)
        #expect(try await daemon.process?.wait() == .exited(0))
    }

    @Test func aPortAlreadyInUseIsOneSentence() async throws {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        defer { listener.close(promise: nil) }
        let port = try #require(listener.localAddress?.port)
        var daemon = DaemonHarness(config: "[[service]]\nname = \"web\"\ncommand = [\"sleep\", \"300\"]\nhealth = \"tcp:\(port)\"\n")
        defer { daemon.remove() }
        try await daemon.start()
        let sentence = "port \(port) is already in use by another program; stop that program or give web another port"
        #expect(await eventually { (try? await daemon.service("web"))?.state == .portConflict })
        #expect(try await daemon.service("web")?.problem == sentence)
        #expect(daemon.log.contains("[web] not started: \(sentence)"))
        let human = try await daemon.homeport(["status"])
        #expect(human.stdout.contains("port-conflict"))
        // The table wraps the sentence at words to fit 100 columns.
        #expect(human.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ").contains(sentence), "\(human.stdout)")
        daemon.process?.signal(SIGTERM)
        #expect(try await daemon.process?.wait() == .exited(0))
    }

    @Test func badFlagsTeach() async throws {
        let output = try await Homeport.run(["history", "uptime", "--since", "soon"])
        #expect(output.exitCode == 64)
        #expect(output.stderr.contains("--since must be a duration such as 24h, 7d, 90d or 1y (365 days), not 'soon'."))
        let help = try await Homeport.run(["--help"])
        #expect(help.stdout.contains("homeport run"))
        #expect(help.stdout.contains("--generate-completion-script"))
        #expect(!help.stdout.contains("debug"))
    }
}
