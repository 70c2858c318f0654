import CProcessControl

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes sure no child outlives a killed supervisor.
///
/// The supervisor never spawns a service directly: it spawns this same binary as
/// `homeport __exec <supervisor-pid> -- <command…>`, which arms the guard and then becomes
/// the service.
/// - Linux: `prctl(PR_SET_PDEATHSIG, SIGKILL)` survives `execve`, so the kernel kills the
///   service when the supervisor dies, even by `kill -9`. The check of `getppid()` after
///   arming closes the race where the supervisor died before the guard was set.
///   (swift-subprocess spawns from one long-lived thread, which matters because the
///   death signal follows the spawning thread, not the process.)
/// - macOS has no parent-death signal, so there the wrapper stays as a small middle process
///   that runs the service, passes its exit status through, and kills the service's process
///   group when the supervisor disappears (`poll` mode, also selectable on Linux with
///   `HOMEPORT_CHILD_GUARD=poll`).
/// The death signal reaches only this first process; on Linux the rest of a service is found
/// through `ProcessTracker` (and, after a `kill -9` of the daemon, its `ProcessRecord`).
public enum ChildExec {
    public static let subcommand = "__exec"

    /// The argv that starts `command` under the guard.
    /// A working directory is entered by the wrapper, so a missing one is reported in the
    /// service's own log line like any other start failure. `umask` restores the mask the
    /// daemon was started with (the daemon itself runs with 077 for its private files).
    public static func wrappedArguments(command: [String], workingDirectory: String? = nil, umask mask: UInt32? = nil, supervisorPID: Int32 = getpid()) -> [String] {
        var arguments = [subcommand, String(supervisorPID)]
        if let workingDirectory { arguments += ["--chdir", workingDirectory] }
        if let mask { arguments += ["--umask", String(mask, radix: 8)] }
        return arguments + ["--"] + command
    }

    /// Call first thing in `main`: when this process is a guarded child, it never returns.
    public static func runIfRequested(_ arguments: [String] = CommandLine.arguments) {
        guard arguments.count >= 4, arguments[1] == subcommand, let parent = Int32(arguments[2]) else { return }
        var rest = arguments[3...]
        while let option = rest.first, option != "--", rest.count >= 2 {
            let value = rest[rest.index(after: rest.startIndex)]
            switch option {
            case "--chdir":
                if chdir(value) != 0 {
                    fail("cannot enter working directory \(value): \(String(cString: strerror(errno)))", code: 126)
                }
            case "--umask":
                if let mask = UInt32(value, radix: 8) { umask(mode_t(mask)) }
            default:
                return
            }
            rest = rest.dropFirst(2)
        }
        guard rest.first == "--" else { return }
        let command = Array(rest.dropFirst())
        guard !command.isEmpty else { fail("no command given", code: 2) }
        #if os(Linux)
        if getenv("HOMEPORT_CHILD_GUARD").map({ String(cString: $0) }) != "poll" {
            execWithDeathSignal(parent: parent, command: command)
        }
        #endif
        runGuarded(parent: parent, command: command)
    }

    #if os(Linux)
    private static func execWithDeathSignal(parent: Int32, command: [String]) -> Never {
        _ = homeport_set_parent_death_signal(SIGKILL)
        if getppid() != parent { _exit(1) }
        execute(command)
    }
    #endif

    private static func execute(_ command: [String]) -> Never {
        var argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) }
        argv.append(nil)
        execvp(command[0], &argv)
        fail("cannot run '\(command[0])': \(String(cString: strerror(errno)))", code: errno == ENOENT ? 127 : 126)
    }

    /// Middle-process guard: runs `command` as a child and polls for the supervisor's death.
    private static func runGuarded(parent: Int32, command: [String]) -> Never {
        // The wrapper shares the service's process group, so the supervisor's group-wide
        // SIGTERM reaches both; the wrapper ignores it and waits for the service instead.
        for sig in [SIGTERM, SIGINT, SIGHUP] { signal(sig, SIG_IGN) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        var argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) }
        argv.append(nil)
        var child: pid_t = 0
        let rc = posix_spawnp(&child, command[0], nil, &attributes, argv, environ)
        guard rc == 0 else {
            fail("cannot run '\(command[0])': \(String(cString: strerror(rc)))", code: rc == ENOENT ? 127 : 126)
        }
        var orphanedAt: Int?
        var ticks = 0
        while true {
            var status: Int32 = 0
            let waited = waitpid(child, &status, WNOHANG)
            if waited == child {
                let signalNumber = status & 0x7f
                if signalNumber == 0 { exit((status >> 8) & 0xff) }
                signal(signalNumber, SIG_DFL)
                kill(getpid(), signalNumber)
                exit(128 + signalNumber)
            }
            // Orphaned: the whole process group goes (the service's helpers too), SIGTERM
            // first (ignored here), then SIGKILL, which ends this guard as well.
            if orphanedAt == nil, getppid() != parent {
                orphanedAt = ticks
                kill(-getpgrp(), SIGTERM)
            }
            if let orphanedAt, ticks - orphanedAt >= 25 {
                kill(-getpgrp(), SIGKILL)
            }
            usleep(200_000)
            ticks += 1
        }
    }

    private static func fail(_ message: String, code: Int32) -> Never {
        let line = "homeport: \(message)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        _exit(code)
    }
}
