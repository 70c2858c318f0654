import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Progress on stderr; stdout (the summary) is flushed first so both stay in order when piped.
func log(_ text: String) {
    fflush(nil)
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

func errnoText() -> String { String(cString: strerror(errno)) }

/// A process under measurement (`homeport relay` or `socat`), started with posix_spawnp with
/// a clean environment and its output in a log file; stopped with SIGTERM (SIGKILL after a
/// grace period). Every child is registered with the watchdog so nothing outlives the bench.
final class ChildProcess: Sendable {
    let pid: pid_t
    let name: String
    let logPath: String

    /// `workingDirectory`: where the child runs (the relay reads `.env` from there).
    init(_ arguments: [String], environment extra: [String] = [], workingDirectory: String, logPath: String) throws {
        name = (arguments.first.map { ($0 as NSString).lastPathComponent } ?? "?")
        self.logPath = logPath
        let environment = ["PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"] + extra
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // posix_spawn_file_actions_addchdir_np is not exported to Swift: the bench itself moves
        // to the directory (it uses absolute paths only).
        guard chdir(workingDirectory) == 0 else { throw BenchError("chdir \(workingDirectory): \(errnoText())") }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
        guard result == 0 else { throw BenchError("cannot start \(arguments[0]): \(String(cString: strerror(result)))") }
        self.pid = pid
        Watchdog.register(pid)
    }

    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7F
        return signal == 0 ? "exited with status \((status >> 8) & 0xFF)" : "was killed by signal \(signal)"
    }

    private let reaped = Mutex<String?>(nil)

    /// nil while running, else how it ended (reaps it).
    func exitStatus() -> String? {
        reaped.withLock { ended in
            if let ended { return ended }
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
            ended = Self.describe(status)
            Watchdog.unregister(pid)
            return ended
        }
    }

    /// Waits up to `seconds` for the process to end by itself, then stops it.
    @discardableResult
    func wait(within seconds: Double) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let ended = exitStatus() { return ended }
            usleep(10_000)
        }
        return stop()
    }

    /// SIGTERM, then SIGKILL if still there after `grace` seconds. Returns how it ended.
    @discardableResult
    func stop(grace: Double = 5) -> String {
        if let ended = exitStatus() { return ended }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while Date() < deadline {
            if let ended = exitStatus() { return ended }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        while exitStatus() == nil { usleep(10_000) }
        return (exitStatus() ?? "") + " (after SIGKILL)"
    }

    var logTail: String {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8), !text.isEmpty else { return "(no output from \(name))" }
        return text.split(separator: "\n").suffix(15).joined(separator: "\n")
    }

    /// VmRSS and RssAnon from /proc/<pid>/status, in bytes.
    func memory() -> (rss: Int, anonymous: Int)? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func kilobytes(_ key: String) -> Int? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return nil }
            return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
        }
        guard let rss = kilobytes("VmRSS") else { return nil }
        return (rss * 1024, (kilobytes("RssAnon") ?? 0) * 1024)
    }

    func threadCount() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Threads:") }) else { return 0 }
        return Int(line.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces)) ?? 0
    }

    /// utime + stime so far (all threads), in seconds.
    func cpuSeconds() -> Double { ProcessCPU.seconds(statPath: "/proc/\(pid)/stat") }

    /// Waits until something listens on TCP `port` (read from /proc/net/tcp{,6}, so the
    /// check makes no connection: socat without `fork` serves exactly one).
    func waitListening(port: Int, within seconds: Double) throws {
        let start = Date()
        while !Listening.has(port: port) {
            if let ended = exitStatus() { throw BenchError("\(name) \(ended) before listening on \(port):\n\(logTail)") }
            guard Date().timeIntervalSince(start) < seconds else {
                throw BenchError("\(name) did not listen on port \(port) within \(Int(seconds)) s:\n\(logTail)")
            }
            usleep(10_000)
        }
    }
}

enum Listening {
    static func has(port: Int) -> Bool {
        let hex = String(format: ":%04X", port)
        for file in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                if fields.count > 3, fields[1].hasSuffix(hex), fields[3] == "0A" { return true }
            }
        }
        return false
    }
}

enum ProcessCPU {
    static let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// utime + stime of /proc/…/stat, in seconds.
    static func seconds(statPath: String) -> Double {
        guard let stat = try? String(contentsOfFile: statPath, encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        // After "(comm)": state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / ticks
    }

    static func ownSeconds() -> Double { seconds(statPath: "/proc/self/stat") }
}

/// Machine-wide busy CPU seconds (everything but idle and iowait) from /proc/stat.
enum MachineCPU {
    static func busySeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let first = stat.split(separator: "\n").first else { return 0 }
        let values = first.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard values.count >= 8 else { return 0 }
        return (values.prefix(8).reduce(0, +) - values[3] - values[4]) / ProcessCPU.ticks
    }
}

enum Ports {
    /// A TCP port free on 127.0.0.1 and 0.0.0.0 right now (the kernel's choice).
    static func findFree() throws -> Int {
        for _ in 0..<50 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr = in_addr(s_addr: INADDR_ANY)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { continue }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            let port = Int(UInt16(bigEndian: address.sin_port))
            if port > 1024, port < 65530, !Listening.has(port: port) { return port }
        }
        throw BenchError("no free TCP port found")
    }
}

/// A hard time limit and Ctrl-C: kill every child still running, exit.
enum Watchdog {
    private static let children = Mutex<Set<pid_t>>([])
    /// Kept alive for the life of the process; only appended to by `arm`, called once before
    /// anything else runs.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    static func register(_ pid: pid_t) { _ = children.withLock { $0.insert(pid) } }
    static func unregister(_ pid: pid_t) { _ = children.withLock { $0.remove(pid) } }

    static func abort(_ reason: String, code: Int32) -> Never {
        let pids = children.withLock { $0 }
        for pid in pids {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        log("RelayBench: \(reason); \(pids.count) child process(es) killed")
        exit(code)
    }

    static func arm(seconds: Int) {
        Thread.detachNewThread {
            sleep(UInt32(seconds))
            abort("time limit of \(seconds) s reached", code: 3)
        }
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { abort("interrupted by signal \(signalNumber)", code: 130) }
            source.resume()
            sources.append(source)
        }
    }
}

/// Raises the soft open-file limit to the hard one (children inherit it): 1 000 sessions are
/// 2 000 sockets in the bench and 2 000 in the relay.
func raiseFileLimit(atLeast wanted: Int) throws {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    if limit.rlim_cur < rlim_t(wanted) {
        limit.rlim_cur = min(limit.rlim_max, max(rlim_t(wanted), limit.rlim_cur))
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
    guard limit.rlim_cur >= rlim_t(wanted) else {
        throw BenchError("the open-file limit is \(limit.rlim_cur) (hard \(limit.rlim_max)); need \(wanted): raise it with ulimit -n")
    }
}
