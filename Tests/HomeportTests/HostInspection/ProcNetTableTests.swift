@testable import HostInspection
import InternetAddress
import Testing

/// /proc/net/{tcp,tcp6,udp,udp6} lines as the kernel prints them on a little-endian machine
/// (x86_64, where these tests run): each 32-bit word of the address in host order.
@Suite struct ProcNetTableTests {
    static let header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"

    @Test("IPv4 and IPv6 listeners, their state, uid and inode; connected sockets are not listeners")
    func parsesListeners() {
        let tcp = """
        \(Self.header)
           0: 00000000:527C 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 31337 1 0000000000000000 100 0 0 10 0
           1: 0100007F:527E 00000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 4242 1 0000000000000000 100 0 0 10 0
           2: 0100007F:A1B2 0100007F:527C 01 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 20 4 30 10 -1
        """
        let table = ProcNetTable(text: tcp, transport: .tcp)
        #expect(table.malformedLines == 0)
        #expect(table.sockets.map(\.address) == [ip("0.0.0.0"), ip("127.0.0.1"), ip("127.0.0.1")])
        #expect(table.sockets.map(\.port) == [21116, 21118, 41394])
        #expect(table.sockets.map(\.isListening) == [true, true, false])
        #expect(table.sockets.map(\.uid) == [0, 105, 0])
        #expect(table.sockets.map(\.inode) == [31337, 4242, 777])

        let tcp6 = """
        \(Self.header)
           0: 00000000000000000000000000000000:527D 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 100 1 0000000000000000 100 0 0 10 0
           1: 00000000000000000000000001000000:527F 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 101 1 0000000000000000 100 0 0 10 0
           2: B80D0120000000000000000001000000:527C 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 102 1 0000000000000000 100 0 0 10 0
        """
        let table6 = ProcNetTable(text: tcp6, transport: .tcp)
        #expect(table6.sockets.map(\.address) == [ip("::"), ip("::1"), ip("2001:db8::1")])
        #expect(table6.sockets.map(\.port) == [21117, 21119, 21116])
    }

    @Test("UDP: an unconnected socket (07) holds the port; a connected one (01) does not count")
    func udpStates() {
        let udp = """
        \(Self.header)
         123: 00000000:527C 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 555 2 0000000000000000 0
         124: 0100007F:C350 0100007F:527C 01 00000000:00000000 00:00000000 00000000     0        0 556 2 0000000000000000 0
        """
        let table = ProcNetTable(text: udp, transport: .udp)
        #expect(table.sockets.map(\.isListening) == [true, false])
        #expect(table.sockets.first?.transport == .udp)
    }

    @Test("malformed lines are skipped and counted, the rest is read")
    func malformedLines() {
        let text = """
        \(Self.header)
        garbage
           0: ZZZZZZZZ:527C 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1
           1: 00000000:527C 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0
           2: 0000000:527C 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1
           3: 00000000:527C00 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4 1
           4: 00000000:527C 00000000:0000 0A 00000000:00000000 00:00000000 00000000  root        0 5 1
           5: 00000000:527C 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6 1

        """
        let table = ProcNetTable(text: text, transport: .tcp)
        #expect(table.malformedLines == 6)
        #expect(table.sockets.map(\.inode) == [6])
    }

    @Test("command lines are shell-quoted and cut to a readable length")
    func commandLines() {
        let bytes = Array("/usr/bin/hbbs\0-r\0relay.example.net:21117\0--key\0it's a key\0\0".utf8)
        let arguments = ProcessCommandLine.arguments(fromProcCmdline: bytes)
        #expect(arguments == ["/usr/bin/hbbs", "-r", "relay.example.net:21117", "--key", "it's a key", ""])
        #expect(ProcessCommandLine.text(arguments) == #"/usr/bin/hbbs -r relay.example.net:21117 --key 'it'\''s a key' ''"#)
        let long = ProcessCommandLine.text(["/usr/bin/java"] + Array(repeating: "-Dsome.property=value", count: 40))
        #expect(long.count == ProcessCommandLine.maximumLength)
        #expect(long.hasSuffix("…"))
        #expect(ProcessCommandLine.arguments(fromProcCmdline: []) == [])
    }

    @Test("known programs by executable, first argument or kernel name, each with its way out")
    func knownPrograms() {
        #expect(KnownProgram.recognise(executable: "/usr/bin/hbbs", arguments: [], kernelName: nil) == .hbbs)
        #expect(KnownProgram.recognise(executable: nil, arguments: ["./hbbr", "-k", "_"], kernelName: nil) == .hbbr)
        #expect(KnownProgram.recognise(executable: "/usr/lib/rustdesk/rustdesk", arguments: ["/usr/bin/rustdesk", "--server"], kernelName: "rustdesk") == .rustdeskClient)
        #expect(KnownProgram.recognise(executable: nil, arguments: [], kernelName: "docker-proxy") == .dockerProxy)
        #expect(KnownProgram.recognise(executable: "/usr/bin/socat", arguments: ["socat"], kernelName: "socat") == .other)
        let port = InspectedPort(.udp, 21116)
        #expect(KnownProgram.dockerProxy.resolution(for: port)?.contains("docker ps --filter publish=21116/udp") == true)
        #expect(KnownProgram.hbbs.resolution(for: port)?.contains("docker stop") == true)
        #expect(KnownProgram.rustdeskClient.resolution(for: InspectedPort(.tcp, 21118))?.contains("Enable direct IP access") == true)
        #expect(KnownProgram.homeport.resolution(for: port) == nil)
    }

    @Test("lsof's field output (the macOS listener source) is read: pid, command, user, address")
    func lsofFields() {
        let output = "p4242\ncnc\nLroot\nf3\nn*:21116\nf4\nn127.0.0.1:21118\np77\nchbbs\nLbob\nf5\nn[::1]:21117\nf6\nn10.0.0.2:21116->10.0.0.3:5000\n"
        let entries = LsofListeners.parse(output)
        #expect(entries == [
            .init(pid: 4242, command: "nc", user: "root", address: ip("0.0.0.0"), port: 21116),
            .init(pid: 4242, command: "nc", user: "root", address: ip("127.0.0.1"), port: 21118),
            .init(pid: 77, command: "hbbs", user: "bob", address: ip("::1"), port: 21117),
            .init(pid: 77, command: "hbbs", user: "bob", address: ip("10.0.0.2"), port: 21116),
        ])
    }

    @Test("macOS application firewall states")
    func applicationFirewall() {
        #expect(ApplicationFirewall.decision(globalState: "Firewall is disabled. (State = 0)", blockAll: "", executable: "/usr/local/bin/homeport") == .noFirewall)
        let blocking = ApplicationFirewall.decision(globalState: "Firewall is enabled. (State = 1)",
                                                    blockAll: "Firewall is set to block all non-essential incoming connections", executable: "/x")
        guard case .dropped(_, _, let fix) = blocking else { Issue.record("\(blocking)"); return }
        #expect(fix.hasSuffix("--setblockall off"))
        let perProgram = ApplicationFirewall.decision(globalState: "Firewall is enabled. (State = 1)", blockAll: "Block all DISABLED! ", executable: "/usr/local/bin/homeport")
        guard case .uncertain(_, let otherwise) = perProgram else { Issue.record("\(perProgram)"); return }
        #expect(otherwise.contains("--unblockapp /usr/local/bin/homeport"))
        #expect(ApplicationFirewall.decision(globalState: "", blockAll: "", executable: "/x") == .couldNotInspect("socketfilterfw --getglobalstate said: "))
    }
}
