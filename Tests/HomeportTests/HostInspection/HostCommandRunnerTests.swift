import HostInspection
import Testing

/// The runner of the inspection tools: a hung tool is killed at the timeout, a missing one
/// is named.
@Suite struct HostCommandRunnerTests {
    @Test("a command that outlives the timeout is ended and reported as timed out")
    func timeout() async throws {
        let started = ContinuousClock.now
        await #expect(throws: HostCommandRunner.Failure.timedOut("sleep", .milliseconds(300))) {
            try await HostCommandRunner(timeout: .milliseconds(300)).run("sleep", ["30"])
        }
        // Ended at the timeout, not after the 30 s sleep (a generous bound for a busy machine).
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test("output, exit code, and a tool that is not installed")
    func outputAndMissingTool() async throws {
        let output = try await HostCommandRunner().run("sh", ["-c", "echo out; echo err >&2; exit 3"])
        #expect(output.exitCode == 3)
        #expect(output.stdout == "out\n")
        #expect(output.stderr == "err\n")
        await #expect(throws: HostCommandRunner.Failure.notInstalled("no-such-tool-hp")) {
            try await HostCommandRunner().run("no-such-tool-hp", [])
        }
    }
}
