#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Stops a set of identified processes: SIGTERM, then SIGKILL to those still there after
/// `grace`, then waits for them to be gone. Each signal is checked against the process's start
/// time first (`VerifiedSignal`), so a pid that was reused meanwhile is left alone.
enum ProcessStopper {
    /// Returns the processes still alive at the end (only possible for one stuck in the kernel).
    static func stop(_ processes: [ProcessIdentity], grace: Duration, killWait: Duration = .seconds(5)) async -> [ProcessIdentity] {
        var remaining = processes.filter { VerifiedSignal.send(SIGTERM, to: $0) || VerifiedSignal.isAlive($0) }
        remaining = await waitGone(remaining, within: grace)
        guard !remaining.isEmpty else { return [] }
        for process in remaining { VerifiedSignal.send(SIGKILL, to: process) }
        return await waitGone(remaining, within: killWait)
    }

    /// Polls until none of `processes` is alive or `timeout` passes; returns those still alive.
    static func waitGone(_ processes: [ProcessIdentity], within timeout: Duration) async -> [ProcessIdentity] {
        let deadline = ContinuousClock.now + timeout
        var remaining = processes.filter(VerifiedSignal.isAlive)
        while !remaining.isEmpty, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
            remaining = remaining.filter(VerifiedSignal.isAlive)
        }
        return remaining
    }
}
