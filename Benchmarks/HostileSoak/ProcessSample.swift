import Foundation

/// VmRSS and open descriptors of the daemon and its children, read from /proc (Linux).
struct ProcessSample: Sendable {
    var pid: Int32
    var rssKB: Int
    var fds: Int
}

enum ProcFS {
    /// VmRSS in kB, nil if the process is gone.
    static func rssKB(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
        }
        return nil
    }

    static func fdCount(_ pid: Int32) -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
    }

    static func sample(_ pid: Int32) -> ProcessSample? {
        guard let rss = rssKB(pid), let fds = fdCount(pid) else { return nil }
        return ProcessSample(pid: pid, rssKB: rss, fds: fds)
    }

    /// The children of `parent` by their subcommand (`homeport rendezvous`, `homeport relay`).
    static func children(of parent: Int32) -> [String: Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [:] }
        var found: [String: Int32] = [:]
        for entry in entries {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { continue }
            // "pid (comm) state ppid …": comm may hold spaces and parentheses.
            guard let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, Int32(fields[1]) == parent else { continue }
            guard let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
            let arguments = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if arguments.count > 1 { found[arguments[1]] = pid }
        }
        return found
    }
}
