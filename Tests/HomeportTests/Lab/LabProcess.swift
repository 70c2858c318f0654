import Foundation
import Subprocess

#if canImport(Glibc)
import Glibc
#endif

/// A long-running program inside one of the lab's namespaces (nginx, miniupnpd, a listener,
/// the homeport daemon), with stdout and stderr in a log file.
///
/// It is started as `sh -c 'exec ip netns exec NS program …'`: both `exec`s replace the process,
/// so `pid` is the program's own pid and a signal sent to it reaches the program.
final class LabProcess: Sendable {
    let name: String
    let pid: Int32
    let logPath: String
    private let task: Task<TerminationStatus, any Error>

    private init(name: String, pid: Int32, logPath: String, task: Task<TerminationStatus, any Error>) {
        self.name = name
        self.pid = pid
        self.logPath = logPath
        self.task = task
    }

    static func start(name: String, namespace: String, _ arguments: [String], logPath: String,
                      environment: [String: String] = [:]) async throws -> LabProcess {
        guard let program = arguments.first else { throw TestFailure("lab: empty command for \(name)") }
        let argv = [try LabTools.path("ip"), "netns", "exec", namespace, try LabTools.path(program)] + arguments.dropFirst()
        let script = "exec \"$0\" \"$@\" >>'\(logPath)' 2>&1"
        let env = Homeport.environment(environment)
        let (pids, continuation) = AsyncStream<Int32>.makeStream()
        let task = Task {
            let result = try await Subprocess.run(
                .path("/bin/sh"), arguments: Arguments(["-c", script] + argv), environment: env,
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
            throw TestFailure("lab: \(name) did not start")
        }
        return LabProcess(name: name, pid: pid, logPath: logPath, task: task)
    }

    var isRunning: Bool { processExists(pid) }

    func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Waits for the process to end and returns how.
    func wait() async throws -> TerminationStatus {
        try await task.value
    }

    /// Waits at most `timeout` for the process to end; nil when it is still running.
    func wait(timeout: Duration) async -> TerminationStatus? {
        guard await eventually(timeout: timeout, every: .milliseconds(20), { !processExists(pid) }) else { return nil }
        return try? await task.value
    }

    /// SIGTERM, then SIGKILL if it has not ended after `grace`.
    @discardableResult
    func stop(grace: Duration = .seconds(3)) async -> TerminationStatus? {
        signal(SIGTERM)
        if let status = await wait(timeout: grace) { return status }
        signal(SIGKILL)
        return await wait(timeout: .seconds(2))
    }

    var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }
}
