import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One process as the kernel describes it in /proc/PID/stat (proc(5)).
struct ProcessEntry: Sendable, Equatable {
    var pid: Int32
    /// Field 4. A subreaper (prctl(2) PR_SET_CHILD_SUBREAPER) becomes the parent of orphaned
    /// descendants; otherwise init does.
    var ppid: Int32
    /// Field 5: the process group (setpgid(2)); a child keeps its parent's.
    var pgid: Int32
    /// Field 6: the session; a process that called setsid(2) has sid == pgid == its own pid.
    var sid: Int32
    /// Field 3 is `Z`: exited, waiting for its parent to reap it.
    var isZombie: Bool
    /// Field 22 `starttime`: clock ticks after boot at which the process started. Together
    /// with the boot id it names one process: a later process that reuses the pid starts later.
    var startTicks: UInt64
    /// Field 2 `comm`, for log lines only: a process is never recognised by its name.
    var command: String

    var identity: ProcessIdentity { ProcessIdentity(pid: pid, startTicks: startTicks) }
}

/// A pid plus its start time: unlike a bare pid, it cannot come to mean another process.
struct ProcessIdentity: Sendable, Hashable, Codable {
    var pid: Int32
    var startTicks: UInt64
}

/// Reads the process table from /proc (Linux only; elsewhere it is empty and nothing is
/// tracked beyond each service's process group).
enum ProcessTable {
    /// Every process now, by pid.
    static func scan() -> [Int32: ProcessEntry] {
        #if os(Linux)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [:] }
        var table: [Int32: ProcessEntry] = [:]
        table.reserveCapacity(names.count)
        for name in names {
            guard let pid = Int32(name), let entry = entry(pid) else { continue }
            table[pid] = entry
        }
        return table
        #else
        return [:]
        #endif
    }

    /// One process, or nil when it does not exist (or /proc is unavailable).
    static func entry(_ pid: Int32) -> ProcessEntry? {
        guard let bytes = readSmallFile("/proc/\(pid)/stat") else { return nil }
        return parse(pid: pid, stat: String(decoding: bytes, as: UTF8.self))
    }

    /// Parses a /proc/PID/stat line. The name in field 2 may hold spaces and parentheses, so
    /// the fields after it are counted from its last ')'.
    static func parse(pid: Int32, stat: String) -> ProcessEntry? {
        guard let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")"), open < close else { return nil }
        let command = String(stat[stat.index(after: open)..<close])
        let fields = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // fields[0] is field 3 (state), so field N is fields[N - 3].
        guard fields.count > 19, let ppid = Int32(fields[1]), let pgid = Int32(fields[2]), let sid = Int32(fields[3]),
              let start = UInt64(fields[19]) else { return nil }
        return ProcessEntry(pid: pid, ppid: ppid, pgid: pgid, sid: sid, isZombie: fields[0] == "Z" || fields[0] == "X",
                            startTicks: start, command: command)
    }

    /// /proc/sys/kernel/random/boot_id (random(4)): start times count from this boot only.
    static func bootID() -> String? {
        guard let bytes = readSmallFile("/proc/sys/kernel/random/boot_id") else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).filter { !$0.isWhitespace }
        return text.isEmpty ? nil : text
    }

    /// Now, in the unit of `startTicks` (clock ticks since boot; proc(5) counts starttime on
    /// the CLOCK_BOOTTIME clock).
    static func nowTicks() -> UInt64 {
        #if os(Linux)
        var now = timespec()
        clock_gettime(CLOCK_BOOTTIME, &now)
        let hertz = UInt64(max(sysconf(Int32(_SC_CLK_TCK)), 1))
        return UInt64(now.tv_sec) * hertz + UInt64(now.tv_nsec) * hertz / 1_000_000_000
        #else
        return 0
        #endif
    }

    /// The value of `name` in the environment the process was started with
    /// (/proc/PID/environ, proc(5); changes the process made later are not seen).
    static func environmentValue(_ name: String, of pid: Int32) -> String? {
        guard let bytes = readSmallFile("/proc/\(pid)/environ", limit: 256 * 1024) else { return nil }
        let prefix = Array((name + "=").utf8)
        for variable in bytes.split(separator: 0, omittingEmptySubsequences: true) where variable.starts(with: prefix) {
            return String(decoding: variable.dropFirst(prefix.count), as: UTF8.self)
        }
        return nil
    }

    private static func readSmallFile(_ path: String, limit: Int = 1024) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: limit)
        var total = 0
        while total < buffer.count {
            let count = buffer[total...].withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            total += count
        }
        return total > 0 ? Array(buffer[0..<total]) : nil
    }
}
