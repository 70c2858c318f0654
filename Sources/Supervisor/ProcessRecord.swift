import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the running daemon knows about its services' processes, kept in the state directory
/// so that the next start can stop what a `kill -9` of this one leaves behind (the
/// parent-death signal reaches only each service's first process).
///
/// Written whenever the set changes, atomically (a temporary file renamed over the old one,
/// rename(2)) and with mode 0600. Not fsync'd: it matters only while the machine stays up
/// (a reboot changes the boot id and ends every recorded process anyway).
struct ProcessRecord: Codable, Equatable, Sendable {
    /// /proc/sys/kernel/random/boot_id: after a reboot every recorded process is gone, and
    /// start times count from the new boot.
    var bootID: String
    var daemonPID: Int32
    /// When the record was written, in clock ticks since boot: no recorded process started later.
    var writtenAtTicks: UInt64
    var processes: [Entry]

    struct Entry: Codable, Equatable, Hashable, Sendable {
        /// The service it belongs to; empty for an orphan re-parented to the daemon whose
        /// service could not be told.
        var service: String
        var pid: Int32
        var pgid: Int32
        var sid: Int32
        var startTicks: UInt64

        var identity: ProcessIdentity { ProcessIdentity(pid: pid, startTicks: startTicks) }

        enum CodingKeys: String, CodingKey {
            case service, pid, pgid, sid
            case startTicks = "start_ticks"
        }
    }

    enum CodingKeys: String, CodingKey {
        case bootID = "boot_id"
        case daemonPID = "daemon_pid"
        case writtenAtTicks = "written_at_ticks"
        case processes
    }

    /// nil when there is none (the previous run stopped cleanly); an error when there is one
    /// that cannot be read, so the caller says so instead of assuming nothing was left behind.
    static func read(path: String) throws(RecordError) -> ProcessRecord? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RecordError(description: "cannot read \(path); processes a killed run left behind cannot be found")
        }
        do {
            return try JSONDecoder().decode(ProcessRecord.self, from: data)
        } catch {
            throw RecordError(description: "\(path) is not a process record homeport wrote (\(error)); processes a killed run left behind cannot be found")
        }
    }

    func write(path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(self)
        let temporary = path + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RecordError(description: "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        // An existing file keeps its mode through O_TRUNC; make sure it is private.
        _ = fchmod(fd, 0o600)
        let written = writeAll(fd, data)
        close(fd)
        guard written == data.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw RecordError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    static func remove(path: String) {
        unlink(path)
    }

    struct RecordError: Error, CustomStringConvertible {
        let description: String
    }
}

/// write(2) until everything is written; returns how many bytes were.
private func writeAll(_ fd: Int32, _ data: Data) -> Int {
    data.withUnsafeBytes { bytes -> Int in
        guard let base = bytes.baseAddress else { return 0 }
        var done = 0
        while done < bytes.count {
            let count = write(fd, base + done, bytes.count - done)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            done += count
        }
        return done
    }
}
