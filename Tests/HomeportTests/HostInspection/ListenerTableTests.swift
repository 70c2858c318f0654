import Foundation
@testable import HostInspection
import InternetAddress
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Real sockets, real processes, the real /proc: who holds a built-in server's port.
@Suite struct ListenerTableTests {
    @Test("a socket of this process is named with its pid and counts as ours by pid or by executable")
    func ownSocket() throws {
        let port = UInt16(TestPorts.random())
        let socket = try BoundSocket(type: SOCK_DGRAM, port: port)
        defer { socket.close() }
        let table = try ListenerTable.read()
        #expect(table.malformedLines == 0)
        guard case .heldBy(let owners) = table.occupancy(of: InspectedPort(.udp, port)), let owner = owners.first else {
            Issue.record("UDP \(port) not found held"); return
        }
        #expect(owners.count == 1)
        #expect(owner.boundAddress == ip("0.0.0.0"))
        #expect(!owner.isOurs, "no own pids given")
        guard case .process(let process) = owner.identity else { Issue.record("\(owner)"); return }
        #expect(process.pid == getpid())
        #expect(process.user == "root")
        #expect(process.executable == (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")))
        #expect(table.occupancy(of: InspectedPort(.udp, port), own: OwnProcesses(pids: [getpid()])).owners.first?.isOurs == true)
        let byExecutable = OwnProcesses(executable: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        let ours = table.occupancy(of: InspectedPort(.udp, port), own: byExecutable).owners.first
        #expect(ours?.isOurs == true)
        #expect(ours?.resolution == nil)
        #expect(table.occupancy(of: InspectedPort(.tcp, port)) == .free, "UDP only")
    }

    @Test("another process holding 21116 is named with its pid, user and command line (in a namespace)",
          .enabled(if: HostInspectionLab.requirement.shouldRun(), "needs root, ip, nft, socat and setpriv (apt: iproute2 nftables socat util-linux)"))
    func anotherProcess() async throws {
        try HostInspectionLab.requirement.check()
        try await HostInspectionLab.with { lab in
            let udp = try await lab.start("socat-udp", ["socat", "-u", "UDP4-RECV:21116", "/dev/null"], holding: InspectedPort(.udp, 21116))
            let tcp = try await lab.start("socat-tcp", ["socat", "TCP6-LISTEN:21117,ipv6only=1,fork", "/dev/null"], holding: InspectedPort(.tcp, 21117))
            let table = try ListenerTable.read(networkNamespaceOf: udp.pid)
            let held = table.occupancy(of: InspectedPort(.udp, 21116))
            guard case .heldBy(let owners) = held, owners.count == 1, case .process(let process) = owners[0].identity else {
                Issue.record("\(held)"); return
            }
            #expect(process.pid == udp.pid)
            #expect(process.user == "root")
            #expect(process.commandLine == "/usr/bin/socat -u UDP4-RECV:21116 /dev/null")
            #expect(process.program == .other)
            #expect(owners[0].boundAddress == ip("0.0.0.0"))
            #expect(owners[0].description == "21116/udp on 0.0.0.0: pid \(udp.pid) (user root): /usr/bin/socat -u UDP4-RECV:21116 /dev/null")
            #expect(table.occupancy(of: InspectedPort(.tcp, 21117)).owners.map(\.boundAddress) == [ip("::")])
            #expect(table.occupancy(of: InspectedPort(.tcp, 21117)).owners.first?.pid == tcp.pid)
            #expect(table.occupancy(of: InspectedPort(.tcp, 21116)) == .free)
            #expect(table.occupancy(of: InspectedPort(.udp, 21117)) == .free)
            // The host's own table does not see the namespace's sockets.
            #expect((try ListenerTable.read()).occupancy(of: InspectedPort(.udp, 21116)).owners.allSatisfy { $0.pid != udp.pid })
        }
    }

    @Test("an hbbs, a docker-proxy and a loopback-only listener get their way out",
          .enabled(if: HostInspectionLab.requirement.shouldRun(), "needs root, ip, nft, socat and setpriv (apt: iproute2 nftables socat util-linux)"))
    func knownPrograms() async throws {
        try HostInspectionLab.requirement.check()
        try await HostInspectionLab.with { lab in
            // socat under the names of the programs (a link: argv[0] and the kernel's name).
            for name in ["hbbs", "docker-proxy"] { try FileManager.default.createSymbolicLink(atPath: lab.dir.file(name), withDestinationPath: "/usr/bin/socat") }
            let hbbs = try await lab.start("hbbs", [lab.dir.file("hbbs"), "TCP4-LISTEN:21116,fork", "/dev/null"], holding: InspectedPort(.tcp, 21116))
            _ = try await lab.start("proxy", [lab.dir.file("docker-proxy"), "-u", "UDP4-RECV:21116", "/dev/null"], holding: InspectedPort(.udp, 21116))
            _ = try await lab.start("local", ["socat", "TCP4-LISTEN:21118,bind=127.0.0.1,fork", "/dev/null"], holding: InspectedPort(.tcp, 21118))
            let table = try ListenerTable.read(networkNamespaceOf: hbbs.pid)

            let server = try #require(table.occupancy(of: InspectedPort(.tcp, 21116)).owners.first)
            #expect(server.program == .hbbs)
            #expect(server.resolution?.contains("a RustDesk server (hbbs) still runs") == true, "\(server.resolution ?? "")")
            let proxy = try #require(table.occupancy(of: InspectedPort(.udp, 21116)).owners.first)
            #expect(proxy.program == .dockerProxy)
            #expect(proxy.resolution?.contains("docker ps --filter publish=21116/udp") == true)
            let local = try #require(table.occupancy(of: InspectedPort(.tcp, 21118)).owners.first)
            #expect(local.isLoopbackOnly)
            #expect(local.resolution?.contains("bound to 127.0.0.1 only, so nobody outside can reach it") == true, "\(local.resolution ?? "")")
            // With its pid given as homeport's own, the same listener is fine.
            let own = table.occupancy(of: InspectedPort(.tcp, 21116), own: OwnProcesses(pids: [hbbs.pid])).owners.first
            #expect(own?.isOurs == true)
            #expect(own?.resolution == nil)
        }
    }

    @Test("without the privilege to list another user's open files the owner is 'unknown (run as root …)'",
          .enabled(if: HostInspectionLab.requirement.shouldRun(), "needs root, ip, nft, socat and setpriv (apt: iproute2 nftables socat util-linux)"))
    func unprivileged() async throws {
        try HostInspectionLab.requirement.check()
        try await HostInspectionLab.with { lab in
            let udp = try await lab.start("socat-udp", ["socat", "-u", "UDP4-RECV:21116", "/dev/null"], holding: InspectedPort(.udp, 21116))
            let table = try await Unprivileged.run { try ListenerTable.read(networkNamespaceOf: udp.pid) }.get()
            #expect(table.unreadableProcesses > 0)
            guard case .heldBy(let owners) = table.occupancy(of: InspectedPort(.udp, 21116)), let owner = owners.first else {
                Issue.record("not seen as held"); return
            }
            #expect(owner.identity == .unknown("unknown program of user root (run as root to see which program)"))
            #expect(owner.description == "21116/udp on 0.0.0.0: unknown program of user root (run as root to see which program)")
        }
    }

    @Test("ListenerInspection reports every port asked, in order")
    func inspection() async throws {
        let port = UInt16(TestPorts.random())
        let socket = try BoundSocket(type: SOCK_STREAM, port: port)
        defer { socket.close() }
        let report = await ListenerInspection.inspect([InspectedPort(.tcp, port), InspectedPort(.udp, port)], own: OwnProcesses(pids: [getpid()]))
        #expect(report.map(\.port) == [InspectedPort(.tcp, port), InspectedPort(.udp, port)])
        #expect(report[0].occupancy.owners.first?.isOurs == true)
        #expect(report[1].occupancy == .free)
    }
}

extension PortOccupancy {
    var owners: [ListenerOwner] {
        if case .heldBy(let owners) = self { return owners }
        return []
    }
}

extension ListenerOwner {
    var pid: Int32? {
        if case .process(let process) = identity { return process.pid }
        return nil
    }

    var program: KnownProgram? {
        if case .process(let process) = identity { return process.program }
        return nil
    }
}

/// A socket of the test process bound to 0.0.0.0:port (TCP: listening).
struct BoundSocket {
    let fd: Int32

    init(type: __socket_type, port: UInt16) throws {
        fd = socket(AF_INET, Int32(type.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(port.bigEndian)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, type != SOCK_STREAM || listen(fd, 4) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw TestFailure("bind/listen \(port): \(reason)")
        }
    }

    func close() { _ = Glibc.close(fd) }
}

/// Runs `body` on a thread of its own whose file-system identity is nobody's (setfsuid(2)):
/// the kernel then refuses it root's /proc/PID/fd, as for any unprivileged user, while the
/// rest of the test process stays root. The thread ends with `body`.
enum Unprivileged {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async -> Result<T, any Error> {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                typealias SetFSUID = @convention(c) (UInt32) -> Int32
                guard let process = dlopen(nil, RTLD_NOW), let symbol = dlsym(process, "setfsuid") else {
                    return continuation.resume(returning: .failure(TestFailure("setfsuid not found")))
                }
                let setfsuid = unsafeBitCast(symbol, to: SetFSUID.self)
                _ = setfsuid(65534)
                // setfsuid returns the previous value; asking again with an invalid uid reads the current one.
                guard setfsuid(UInt32.max) == 65534 else { return continuation.resume(returning: .failure(TestFailure("setfsuid did not take"))) }
                let result = Result { try body() }
                _ = setfsuid(0)
                continuation.resume(returning: result)
            }
            thread.start()
        }
    }
}
