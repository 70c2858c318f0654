import Foundation
import Subprocess

/// Runs the read-only inspection tools (nft, iptables-save, ufw, lsof, socketfilterfw).
/// `prefix` goes before every command: empty on a host; the tests put `ip netns exec NS` or
/// `setpriv --reuid=nobody` there to inspect a namespace or run without privileges.
public struct HostCommandRunner: Sendable {
    public var prefix: [String]
    public var timeout: Duration

    public init(prefix: [String] = [], timeout: Duration = .seconds(5)) {
        self.prefix = prefix
        self.timeout = timeout
    }

    /// What a finished command printed and how it ended.
    public struct Output: Sendable {
        public var exitCode: Int32?
        public var stdout: String
        public var stderr: String
    }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The program is not installed (not in PATH or the sbin directories).
        case notInstalled(String)
        case timedOut(String, Duration)
        case couldNotRun(String, String)

        public var description: String {
            switch self {
            case .notInstalled(let program): "\(program) is not installed"
            case .timedOut(let program, let limit): "\(program) did not finish within \(limit)"
            case .couldNotRun(let program, let reason): "could not run \(program): \(reason)"
            }
        }
    }

    /// Where the tools live; a user's PATH often lacks the sbin directories nft and
    /// iptables-save are in.
    static let searchPath = ["/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/local/bin"]

    /// The absolute path of `program`, or nil when it is not installed.
    public static func find(_ program: String) -> String? {
        if program.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        let fromEnvironment = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return (searchPath + fromEnvironment).lazy.map { $0 + "/" + program }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `program` with `arguments` (after the prefix). The command is killed after
    /// `timeout`: a hung tool must not hang the check.
    public func run(_ program: String, _ arguments: [String]) async throws(Failure) -> Output {
        guard let path = Self.find(program) else { throw .notInstalled(program) }
        let argv = prefix + [path] + arguments
        guard let first = argv.first, let executable = Self.find(first) else { throw .notInstalled(prefix.first ?? program) }
        let limit = timeout
        let task = Task {
            let result = try await Subprocess.run(.path(.init(executable)), arguments: Arguments(Array(argv.dropFirst())),
                                                  input: .none, output: .string(limit: 8 << 20), error: .string(limit: 1 << 20))
            let code: Int32? = if case .exited(let code) = result.terminationStatus { code } else { nil }
            return Output(exitCode: code, stdout: result.standardOutput, stderr: result.standardError)
        }
        // Cancelling the run kills the child (swift-subprocess ends a cancelled run's teardown
        // sequence with SIGKILL).
        let watchdog = Task {
            try await Task.sleep(for: limit)
            task.cancel()
        }
        defer { watchdog.cancel() }
        let output: Output
        do {
            output = try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
        } catch {
            throw task.isCancelled ? .timedOut(program, limit) : .couldNotRun(program, "\(error)")
        }
        if output.exitCode == nil, task.isCancelled { throw .timedOut(program, limit) }
        return output
    }
}
