import Foundation
import Subprocess

#if canImport(Glibc)
import Glibc
#endif

/// Runs the real `homeport` binary. Children are spawned with swift-subprocess (not
/// Foundation.Process, whose children inherit a blocked SIGTERM from async code).
enum Homeport {
    struct Output {
        var status: TerminationStatus
        var stdout: String
        var stderr: String

        var exitCode: Int32? {
            if case .exited(let code) = status { return code }
            return nil
        }
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Output {
        let result = try await Subprocess.run(
            .path(.init(TestBinary.homeport)),
            arguments: Arguments(arguments),
            environment: Self.environment(environment),
            output: .string(limit: 16 << 20),
            error: .string(limit: 16 << 20))
        return Output(status: result.terminationStatus, stdout: result.standardOutput, stderr: result.standardError)
    }

    static func environment(_ overrides: [String: String]) -> Environment {
        var keys: [Environment.Key: String?] = ["HOMEPORT_CONFIG": nil, "HOMEPORT_STATE_DIR": nil, "NO_COLOR": "1"]
        for (key, value) in overrides { keys[Environment.Key(stringLiteral: key)] = value }
        return .inherit.updating(keys)
    }
}

/// A long-running `homeport` (the daemon, or a stress writer) with its output in a log file.
final class HomeportProcess: @unchecked Sendable {
    let pid: Int32
    let logPath: String
    private let task: Task<TerminationStatus, any Error>

    private init(pid: Int32, logPath: String, task: Task<TerminationStatus, any Error>) {
        self.pid = pid
        self.logPath = logPath
        self.task = task
    }

    /// `stdoutPath`: where stdout goes (default: the log, with stderr). `workingDirectory`:
    /// where it runs (hbbs-style `.env` files are read from there).
    /// `isolatedNetwork`: run in a new network namespace that has only loopback, so a daemon on
    /// its embedded defaults (which asks internet echo services and the router) reaches nobody.
    static func start(_ arguments: [String], logPath: String, stdoutPath: String? = nil, environment: [String: String] = [:],
                      workingDirectory: String? = nil, isolatedNetwork: Bool = false) async throws -> HomeportProcess {
        let (pids, continuation) = AsyncStream<Int32>.makeStream()
        let out = stdoutPath ?? logPath
        let inner = "exec \"$0\" \"$@\" >>'\(out)' 2>>'\(logPath)'"
        // unshare --net without --fork keeps the pid: sh execs unshare, which execs sh, which execs homeport.
        let script = isolatedNetwork
            ? "exec unshare --net /bin/sh -c 'ip link set lo up; \(inner.replacingOccurrences(of: "'", with: "'\\''"))' \"$0\" \"$@\""
            : inner
        let env = Homeport.environment(environment)
        let task = Task {
            let result = try await Subprocess.run(
                .path("/bin/sh"),
                arguments: Arguments(["-c", script, TestBinary.homeport] + arguments),
                environment: env,
                workingDirectory: workingDirectory.map { .init($0) },
                input: .none, output: .discarded, error: .discarded
            ) { execution in
                continuation.yield(execution.processIdentifier.value)
                continuation.finish()
            }
            return result.terminationStatus
        }
        var iterator = pids.makeAsyncIterator()
        guard let pid = await iterator.next() else {
            _ = try await task.value
            throw TestFailure("homeport did not start")
        }
        return HomeportProcess(pid: pid, logPath: logPath, task: task)
    }

    func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Waits for the process to end and returns how.
    func wait() async throws -> TerminationStatus {
        try await task.value
    }

    var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum Programs {
    /// Runs any program to completion and captures its output.
    static func run(_ program: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> Homeport.Output {
        let result = try await Subprocess.run(.path(.init(program)), arguments: Arguments(arguments),
                                              environment: Homeport.environment(environment),
                                              output: .string(limit: 16 << 20), error: .string(limit: 16 << 20))
        return Homeport.Output(status: result.terminationStatus, stdout: result.standardOutput, stderr: result.standardError)
    }
}
