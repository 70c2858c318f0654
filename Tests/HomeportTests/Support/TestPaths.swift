import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The `homeport` binary `swift test` built next to the test bundle.
enum TestBinary {
    static let homeport: String = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("homeport").path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug/homeport").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[1]
    }()
}

/// A fresh directory under /tmp (short, so Unix socket paths inside it stay short), removed
/// by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/hp-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = made.map { String(cString: $0) } ?? "/tmp/hp-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A directory at `path` (created if missing), e.g. inside another temporary directory.
    init(creating path: String) {
        self.path = path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ contents: String, mode: Int = 0o600) -> String {
        let path = file(name)
        _ = FileManager.default.createFile(atPath: path, contents: Data(contents.utf8), attributes: [.posixPermissions: mode])
        return path
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(10), every interval: Duration = .milliseconds(50), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}

/// Whether a process with this pid exists (and is not a zombie).
func processExists(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
    // Field 3, after the parenthesised command name, is the state; Z is a zombie.
    guard let close = stat.lastIndex(of: ")") else { return true }
    let rest = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces)
    return !rest.hasPrefix("Z")
}

/// Every pid whose process group is `group`.
func processesInGroup(_ group: Int32) -> [Int32] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return entries.compactMap(Int32.init).filter { pid in
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After ")": state, ppid, pgrp.
        return fields.count > 2 && Int32(fields[2]) == group && !fields[0].hasPrefix("Z")
    }
}

extension TestBinary {
    /// The binary's real path, as it reports itself (symlinks resolved).
    static var homeportResolved: String {
        URL(fileURLWithPath: homeport).resolvingSymlinksInPath().path
    }
}

/// Base ports for servers under test: below Linux's ephemeral range (32768–60999), where busy
/// client sockets would make a random pick fail to bind now and then, and with room for the
/// P-1 … P+10 a test may use.
/// Ports for servers the tests start. Each call hands out a port that no other call in this
/// test process got, spaced 5 apart so that the neighbours a server also binds (the rendezvous
/// server's port-1 and port+2, the relay's port+2, hbbr's PORT+1) never overlap another test's,
/// and whose block is free right now on TCP and UDP. Plain random picks collided often enough
/// in a full parallel run to fail a test with "port already in use".
enum TestPorts {
    private static let range = 20_000..<32_000
    private static let spacing = 5
    private static let cursor = Mutex<Int>(Int.random(in: 0..<(12_000 / 5)))

    static func random() -> Int {
        let slots = range.count / spacing
        for _ in 0..<slots {
            let slot = cursor.withLock { value -> Int in
                defer { value = (value + 1) % slots }
                return value
            }
            let port = range.lowerBound + 1 + slot * spacing
            if ((port - 1)...(port + 3)).allSatisfy(isFree) { return port }
        }
        return Int.random(in: range)
    }

    /// Whether a TCP listener (with SO_REUSEADDR, as the servers use) and a UDP socket can
    /// bind `port` on every IPv4 address right now.
    private static func isFree(_ port: Int) -> Bool {
        canBind(port, type: Int32(SOCK_STREAM.rawValue), reuse: true) && canBind(port, type: Int32(SOCK_DGRAM.rawValue), reuse: false)
    }

    private static func canBind(_ port: Int, type: Int32, reuse: Bool) -> Bool {
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var one: Int32 = 1
        if reuse { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = in_addr(s_addr: INADDR_ANY)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
