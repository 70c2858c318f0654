import CProcessControl

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Signals a process only if it is still the one that was seen: same pid and same start time
/// (proc(5) /proc/PID/stat field 22).
///
/// On Linux the pid is first pinned with pidfd_open(2), then the start time is checked, then
/// the signal goes through pidfd_send_signal(2), so a pid reused between the check and the
/// signal cannot be hit. Without pidfds (kernels before 5.3, macOS) it falls back to kill(2)
/// right after the check.
enum VerifiedSignal {
    /// Returns false when the process is gone or is no longer the same one.
    @discardableResult
    static func send(_ signal: Int32, to process: ProcessIdentity) -> Bool {
        let pidfd = homeport_pidfd_open(process.pid)
        if pidfd < 0, errno != ENOSYS { return false }  // ESRCH: already gone
        defer { if pidfd >= 0 { close(pidfd) } }
        guard let now = ProcessTable.entry(process.pid), now.startTicks == process.startTicks, !now.isZombie else { return false }
        if pidfd >= 0 { return homeport_pidfd_send_signal(pidfd, signal) == 0 }
        return kill(process.pid, signal) == 0
    }

    /// Whether the process is still alive (not reaped and not a zombie) and the same one.
    static func isAlive(_ process: ProcessIdentity) -> Bool {
        guard let now = ProcessTable.entry(process.pid) else { return false }
        return now.startTicks == process.startTicks && !now.isZombie
    }
}
