#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the processes a previous daemon run left behind, from its `ProcessRecord`.
///
/// A process is a leftover when
/// - it is a recorded process: same pid and same start time (proc(5) field 22) in the same
///   boot; or
/// - it is in a process group or session that a recorded process created (setpgid(2),
///   setsid(2): the group or session id is that process's pid) while a recorded member of it
///   is still alive, and it started no earlier than the process that created it. While any
///   member lives, the kernel does not hand that id to a new process, so such a group is still
///   the recorded one, and processes that joined it after the record was written (children of
///   the orphans) belong to it too.
///
/// Nothing is matched by name, and groups and sessions that no recorded process created (the
/// daemon's own, a login shell's) are never matched.
enum Leftovers {
    static func find(in record: ProcessRecord, bootID: String?, table: [Int32: ProcessEntry], excluding: Set<Int32>) -> [Leftover] {
        guard let bootID, record.bootID == bootID else { return [] }
        let recorded = Dictionary(record.processes.map { ($0.identity, $0) }, uniquingKeysWith: { first, _ in first })
        let alive = table.values.filter { !$0.isZombie && !excluding.contains($0.pid) }
        var found: [Int32: Leftover] = [:]
        for process in alive {
            if process.startTicks <= record.writtenAtTicks, let entry = recorded[process.identity] {
                found[process.pid] = Leftover(process: process, service: entry.service)
            }
        }
        // Groups and sessions created by a recorded process, with a recorded member alive.
        let creators = Dictionary(record.processes.map { ($0.pid, $0) }, uniquingKeysWith: { first, _ in first })
        var groups: [Int32: ProcessRecord.Entry] = [:]
        var sessions: [Int32: ProcessRecord.Entry] = [:]
        for leftover in found.values {
            if let creator = creators[leftover.process.pgid] { groups[creator.pid] = creator }
            if let creator = creators[leftover.process.sid] { sessions[creator.pid] = creator }
        }
        for process in alive where found[process.pid] == nil {
            let creator = groups[process.pgid] ?? sessions[process.sid]
            if let creator, process.startTicks >= creator.startTicks {
                found[process.pid] = Leftover(process: process, service: creator.service)
            }
        }
        return found.values.sorted { $0.process.pid < $1.process.pid }
    }

    /// The daemon and its ancestors: never leftovers, whatever a record says.
    static func selfAndAncestors(table: [Int32: ProcessEntry]) -> Set<Int32> {
        var result: Set<Int32> = []
        var pid = getpid()
        while pid > 1, !result.contains(pid) {
            result.insert(pid)
            guard let parent = table[pid]?.ppid else { break }
            pid = parent
        }
        return result
    }
}

struct Leftover: Sendable, Equatable {
    var process: ProcessEntry
    var service: String

    var description: String {
        "pid \(process.pid) (\(process.command)) of \(service.isEmpty ? "an unknown service" : "service \(service)")"
    }
}
