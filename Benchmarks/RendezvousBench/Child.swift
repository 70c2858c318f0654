import Foundation

#if canImport(Glibc)
import Glibc
#endif

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The server under test: `homeport rendezvous` started with posix_spawnp in its own temporary
/// state directory, stopped with SIGTERM (SIGKILL after 5 s).
final class ServerProcess: Sendable {
    let pid: pid_t
    let port: Int
    let stateDirectory: String
    let logPath: String

    init(binary given: String, port: Int, stateDirectory: String, receiveBuffer: Int?) throws {
        // Absolute, since the spawn happens from the state directory.
        guard let resolved = realpath(given, nil) else { throw BenchError("\(given): \(String(cString: strerror(errno)))") }
        let binary = String(cString: resolved)
        free(resolved)
        self.port = port
        self.stateDirectory = stateDirectory
        self.logPath = stateDirectory + "/server.log"
        var arguments = [binary, "rendezvous", "-k", "", "--state-dir", stateDirectory, "-p", String(port)]
        if let receiveBuffer { arguments += ["-M", String(receiveBuffer)] }
        // A clean environment: PORT, KEY, RMEM, SERIAL… from the caller's shell would change
        // what is measured.
        let environment = ["PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"]

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        // The server reads a `.env` in its working directory, as hbbs does: run it in the
        // state directory, where there is none (posix_spawn_file_actions_addchdir_np is not
        // exported to Swift, so the bench itself moves there; it uses absolute paths only).
        guard chdir(stateDirectory) == 0 else { throw BenchError("chdir \(stateDirectory): \(String(cString: strerror(errno)))") }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, binary, &actions, nil, argv, envp)
        guard result == 0 else {
            throw BenchError("cannot start \(binary): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    /// nil while running, else a description of how it ended (reaps it).
    func exitStatus() -> String? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        return Self.describe(status)
    }

    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7F
        return signal == 0 ? "exited with status \((status >> 8) & 0xFF)" : "killed by signal \(signal)"
    }

    /// SIGTERM, then SIGKILL if it is still there after `grace` seconds. Returns how it ended.
    @discardableResult
    func stop(grace: Double = 5) -> String {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { return Self.describe(status) }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while Date() < deadline {
            if waitpid(pid, &status, WNOHANG) == pid { return Self.describe(status) }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        return Self.describe(status) + " (after SIGKILL)"
    }

    var logTail: String {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return "(no server output)" }
        return text.split(separator: "\n").suffix(15).joined(separator: "\n")
    }

    /// Resident memory from /proc/<pid>/status, in bytes: VmRSS and its anonymous part.
    func memory() -> (rss: Int, anonymous: Int)? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func kilobytes(_ key: String) -> Int? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return nil }
            return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
        }
        guard let rss = kilobytes("VmRSS") else { return nil }
        return (rss * 1024, (kilobytes("RssAnon") ?? 0) * 1024)
    }

    /// User + system CPU seconds used so far.
    func cpuSeconds() -> Double { ProcessCPU.seconds(statPath: "/proc/\(pid)/stat") }

    /// The thread count of the server (to explain how many cores it can use).
    func threadCount() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Threads:") }) else { return 0 }
        return Int(line.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces)) ?? 0
    }
}

enum ProcessCPU {
    static let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// utime + stime of /proc/…/stat, in seconds.
    static func seconds(statPath: String) -> Double {
        guard let stat = try? String(contentsOfFile: statPath, encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        // Fields after "(comm)": state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / ticks
    }

    static func ownSeconds() -> Double { seconds(statPath: "/proc/self/stat") }
}

/// Machine-wide CPU from /proc/stat, in seconds: busy (everything but idle and iowait) and the
/// softirq part of it (loopback UDP delivery is largely accounted there, not to either process).
enum MachineCPU {
    static func seconds() -> (busy: Double, softirq: Double) {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let first = stat.split(separator: "\n").first else { return (0, 0) }
        let values = first.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard values.count >= 7 else { return (0, 0) }
        // user nice system idle iowait irq softirq steal …
        let total = values.prefix(8).reduce(0, +)
        return ((total - values[3] - values[4]) / ProcessCPU.ticks, values[6] / ProcessCPU.ticks)
    }
}

/// The kernel's count of UDP datagrams dropped because a receive buffer was full (all
/// sockets; on an otherwise quiet machine these are the server's and the bench's).
enum UDPDrops {
    static func receiveBufferErrors() -> Int {
        guard let snmp = try? String(contentsOfFile: "/proc/net/snmp", encoding: .utf8) else { return 0 }
        let lines = snmp.split(separator: "\n").filter { $0.hasPrefix("Udp:") }
        guard lines.count >= 2 else { return 0 }
        let names = lines[0].split(separator: " ")
        let values = lines[1].split(separator: " ")
        guard let column = names.firstIndex(of: "RcvbufErrors"), column < values.count else { return 0 }
        return Int(values[column]) ?? 0
    }
}

enum Ports {
    /// A base port P with UDP P and TCP P-1, P and P+2 free right now.
    static func findFree() throws -> Int {
        for _ in 0..<50 {
            guard let candidate = bound(port: 0, datagram: true), candidate > 1024, candidate < 65530 else { continue }
            if bound(port: candidate, datagram: true) != nil, bound(port: candidate, datagram: false) != nil,
               bound(port: candidate - 1, datagram: false) != nil, bound(port: candidate + 2, datagram: false) != nil {
                return candidate
            }
        }
        throw BenchError("no free port found for the server")
    }

    /// Binds a UDP or TCP socket on 0.0.0.0:port (what the server binds), returns the port, closes.
    private static func bound(port: Int, datagram: Bool) -> Int? {
        let fd = socket(AF_INET, Int32(datagram ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = in_addr(s_addr: INADDR_ANY)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { return nil }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
