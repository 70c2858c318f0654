import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Processes a test service reports by writing its pids to files, pinned by start time so that
/// the cleanup never signals a process that merely reused a pid.
struct ProcessFamily {
    let directory: String
    let names: [String]

    /// The pid in `directory/name`, once the line is complete.
    func pid(_ name: String) -> Int32? {
        guard let text = try? String(contentsOfFile: directory + "/" + name, encoding: .utf8), text.hasSuffix("\n") else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Every member, once all have written their pid.
    func members() -> [String: PinnedProcess]? {
        var result: [String: PinnedProcess] = [:]
        for name in names {
            guard let pid = pid(name), let pinned = PinnedProcess(pid: pid) else { return nil }
            result[name] = pinned
        }
        return result
    }
}

/// A pid and its start time (/proc/PID/stat field 22).
struct PinnedProcess: Hashable, CustomStringConvertible {
    let pid: Int32
    let startTicks: UInt64

    init?(pid: Int32) {
        guard let start = Self.startTicks(of: pid) else { return nil }
        self.pid = pid
        self.startTicks = start
    }

    /// Alive, not a zombie, and still the same process.
    var isAlive: Bool { processExists(pid) && Self.startTicks(of: pid) == startTicks }

    func kill() {
        if isAlive { Glibc.kill(pid, SIGKILL) }
    }

    var description: String {
        let command = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8))?.replacingOccurrences(of: "\0", with: " ") ?? "?"
        return "\(pid) (\(command.trimmingCharacters(in: .whitespaces)))"
    }

    static func startTicks(of pid: Int32) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }
}
