import Foundation
import Subprocess

#if canImport(Glibc)
import Glibc
#endif

/// The programs the lab drives, found by absolute path (a test runner's PATH may lack /usr/sbin),
/// and the runner for one-shot commands.
enum LabTools {
    static let searchPath: [String] = {
        let fromEnvironment = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return fromEnvironment + ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
    }()

    /// The absolute path of `program`, or nil when it is not installed.
    static func find(_ program: String) -> String? {
        if program.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        return searchPath.lazy.map { $0 + "/" + program }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Like `find`, but names the missing program when it is absent (callers check
    /// `LabRequirements` first, so this only fails on a half-installed machine).
    static func path(_ program: String) throws -> String {
        guard let found = find(program) else { throw TestFailure("lab: '\(program)' is not installed") }
        return found
    }

    /// Runs `arguments` (program first) to completion, killed after `timeout` seconds so a hung
    /// command fails the test instead of hanging the suite.
    static func run(_ arguments: [String], input: String? = nil, timeout: Int = 30,
                    environment: [String: String] = [:]) async throws -> Homeport.Output {
        guard let program = arguments.first else { throw TestFailure("lab: empty command") }
        let resolved = try path(program)
        let timeoutPath = try path("timeout")
        var argv = ["-k", "2", String(timeout), resolved] + arguments.dropFirst()
        // Input goes through a file, not a pipe that swift-subprocess writes: when the program
        // exits before reading it all (socat whose connection failed), swift-subprocess 1.0.2
        // leaves the pipe's descriptor open and traps in its deinit ("FileDescriptor … was not
        // closed"), which killed the whole test process under load.
        var inputFile: String?
        if let input {
            let file = NSTemporaryDirectory() + "lab-input-\(UUID().uuidString)"
            try input.write(toFile: file, atomically: false, encoding: .utf8)
            inputFile = file
            argv = ["-k", "2", String(timeout), "/bin/sh", "-c", "exec \"$0\" \"$@\" < \"$HOMEPORT_LAB_INPUT\"", resolved]
                + arguments.dropFirst()
        }
        defer { if let inputFile { try? FileManager.default.removeItem(atPath: inputFile) } }
        var overrides = environment
        if let inputFile { overrides["HOMEPORT_LAB_INPUT"] = inputFile }
        let env = Homeport.environment(overrides)
        let result = try await Subprocess.run(
            .path(.init(timeoutPath)), arguments: Arguments(argv), environment: env,
            input: .none,
            output: .string(limit: 16 << 20), error: .string(limit: 16 << 20))
        return Homeport.Output(status: result.terminationStatus, stdout: result.standardOutput, stderr: result.standardError)
    }

    /// Runs a command that must succeed; its stderr is in the error otherwise.
    @discardableResult
    static func mustRun(_ arguments: [String], input: String? = nil, timeout: Int = 30) async throws -> String {
        let output = try await run(arguments, input: input, timeout: timeout)
        guard output.exitCode == 0 else {
            throw TestFailure("lab: `\(arguments.joined(separator: " "))` failed (\(output.status)): \(output.stderr)\(output.stdout)")
        }
        return output.stdout
    }
}

extension Homeport.Output {
    /// stdout and stderr together, for messages and for checks that accept either.
    var combined: String { stdout + (stderr.isEmpty ? "" : "\n" + stderr) }
}
