#if os(Linux)
import Foundation
import Glibc
import InternetAddress

/// The listening sockets of a network namespace and the processes that hold them, read from
/// /proc (proc(5): /proc/net/tcp, /proc/PID/fd, /proc/PID/cmdline). Reading needs no
/// privileges, but naming another user's process does: without them such a socket's owner is
/// "unknown (run as root to see which program)".
public struct ListenerTable: Sendable {
    /// Lines of /proc/net/{tcp,tcp6,udp,udp6} that did not parse (skipped).
    public let malformedLines: Int
    /// Processes whose open files this user may not list.
    public let unreadableProcesses: Int
    let sockets: [ProcNetSocket]
    let processesBySocket: [UInt64: [Int32]]
    let procRoot: String

    public struct ReadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads the tables now. `networkNamespaceOf`: read the sockets of that process's network
    /// namespace (/proc/PID/net) instead of this process's (/proc/net).
    public static func read(procRoot: String = "/proc", networkNamespaceOf pid: Int32? = nil) throws(ReadError) -> ListenerTable {
        let net = pid.map { "\(procRoot)/\($0)/net" } ?? "\(procRoot)/net"
        var sockets: [ProcNetSocket] = []
        var malformed = 0
        var readAny = false
        for (file, transport) in [("tcp", Transport.tcp), ("tcp6", .tcp), ("udp", .udp), ("udp6", .udp)] {
            // tcp6/udp6 are absent when the kernel has no IPv6.
            guard let text = try? String(contentsOfFile: "\(net)/\(file)", encoding: .utf8) else { continue }
            readAny = true
            let table = ProcNetTable(text: text, transport: transport)
            sockets += table.sockets.filter(\.isListening)
            malformed += table.malformedLines
        }
        guard readAny else { throw ReadError(description: "cannot read \(net)/tcp, tcp6, udp or udp6 (is /proc mounted?)") }
        let scan = ProcessSocketScan(procRoot: procRoot, inodes: Set(sockets.map(\.inode)))
        return ListenerTable(malformedLines: malformed, unreadableProcesses: scan.unreadableProcesses, sockets: sockets,
                             processesBySocket: scan.processesBySocket, procRoot: procRoot)
    }

    /// Who, if anyone, holds `port`.
    public func occupancy(of port: InspectedPort, own: OwnProcesses = OwnProcesses()) -> PortOccupancy {
        let holding = sockets.filter { $0.transport == port.transport && $0.port == port.port }
        guard !holding.isEmpty else { return .free }
        var owners: [ListenerOwner] = []
        for socket in holding {
            let pids = processesBySocket[socket.inode] ?? []
            if pids.isEmpty {
                owners.append(ListenerOwner(port: port, boundAddress: socket.address, identity: .unknown(unknownOwner(uid: socket.uid)), isOurs: false))
            }
            for pid in pids {
                let process = describe(pid: pid, uid: socket.uid, own: own)
                owners.append(ListenerOwner(port: port, boundAddress: socket.address, identity: .process(process), isOurs: process.program == .homeport))
            }
        }
        return .heldBy(Array(Set(owners)).sorted { $0.description < $1.description })
    }

    private func unknownOwner(uid: UInt32) -> String {
        let user = UserName.of(uid)
        if unreadableProcesses > 0 { return "unknown program of user \(user) (run as root to see which program)" }
        return "no process of user \(user) has the socket open (it is closing, or belongs to the kernel)"
    }

    private func describe(pid: Int32, uid: UInt32, own: OwnProcesses) -> ListeningProcess {
        let base = "\(procRoot)/\(pid)"
        let cmdline = FileManager.default.contents(atPath: base + "/cmdline").map { [UInt8]($0) } ?? []
        let arguments = ProcessCommandLine.arguments(fromProcCmdline: cmdline)
        let kernelName = (try? String(contentsOfFile: base + "/comm", encoding: .utf8))?.trimmingCharacters(in: .newlines)
        let executable = Self.executable(base + "/exe")
        let ours = own.pids.contains(pid) || (executable != nil && executable == own.executable)
        let program = ours ? .homeport : KnownProgram.recognise(executable: executable, arguments: arguments, kernelName: kernelName)
        let commandLine = arguments.isEmpty ? "[\(kernelName ?? "?")]" : ProcessCommandLine.text(arguments)
        return ListeningProcess(pid: pid, user: UserName.of(uid), commandLine: commandLine, executable: executable, program: program)
    }

    /// The target of /proc/PID/exe, without the " (deleted)" the kernel adds once the file was
    /// replaced (an upgraded binary still running).
    static func executable(_ link: String) -> String? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link) else { return nil }
        return target.hasSuffix(" (deleted)") ? String(target.dropLast(" (deleted)".count)) : target
    }
}

/// Which processes hold which socket inodes: the `socket:[INODE]` links in /proc/PID/fd.
struct ProcessSocketScan {
    var processesBySocket: [UInt64: [Int32]] = [:]
    var unreadableProcesses = 0

    init(procRoot: String, inodes: Set<UInt64>) {
        guard !inodes.isEmpty, let entries = try? FileManager.default.contentsOfDirectory(atPath: procRoot) else { return }
        for entry in entries {
            guard let pid = Int32(entry) else { continue }
            let fdDirectory = "\(procRoot)/\(entry)/fd"
            guard let directory = opendir(fdDirectory) else {
                // EACCES: another user's process (or hidepid=/ProtectProc=); ENOENT: it ended.
                if errno == EACCES || errno == EPERM { unreadableProcesses += 1 }
                continue
            }
            defer { closedir(directory) }
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                guard name.first?.isNumber == true, let inode = Self.socketInode(link: fdDirectory + "/" + name),
                      inodes.contains(inode) else { continue }
                if processesBySocket[inode]?.contains(pid) != true { processesBySocket[inode, default: []].append(pid) }
            }
        }
    }

    /// The inode of a `socket:[12345]` link; nil for any other file.
    static func socketInode(link: String) -> UInt64? {
        let capacity = 64
        var buffer = [CChar](repeating: 0, count: capacity)
        let length = readlink(link, &buffer, capacity - 1)
        guard length > 0 else { return nil }
        let target = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard target.hasPrefix("socket:["), target.hasSuffix("]") else { return nil }
        return UInt64(target.dropFirst("socket:[".count).dropLast())
    }
}
#endif
