import Foundation
import InternetAddress

/// Listeners on macOS, from `lsof -nP -iTCP:PORT -sTCP:LISTEN` / `-iUDP:PORT` in lsof's
/// field output (`-F pcLn`: lines `p<pid>`, `c<command>`, `L<login>`, `n<address:port>`;
/// lsof(8), "OUTPUT FOR OTHER PROGRAMS"). The parser is platform-independent and tested on
/// Linux with lsof's own output; running it on macOS is NOT tested here (no macOS in this
/// project's CI).
enum LsofListeners {
    struct Entry: Equatable {
        var pid: Int32
        var command: String
        var user: String
        var address: IPAddress
        var port: UInt16
    }

    static func arguments(for port: InspectedPort) -> [String] {
        switch port.transport {
        case .tcp: ["-nP", "-iTCP:\(port.port)", "-sTCP:LISTEN", "-F", "pcLn"]
        case .udp: ["-nP", "-iUDP:\(port.port)", "-F", "pcLn"]
        }
    }

    static func parse(_ output: String) -> [Entry] {
        var entries: [Entry] = []
        var pid: Int32?
        var command = ""
        var user = ""
        for line in output.split(separator: "\n") {
            guard let tag = line.first else { continue }
            let value = String(line.dropFirst())
            switch tag {
            case "p": pid = Int32(value); command = ""; user = ""
            case "c": command = value
            case "L": user = value
            case "n":
                guard let pid, let (address, port) = endpoint(value) else { continue }
                entries.append(Entry(pid: pid, command: command, user: user, address: address, port: port))
            default: continue
            }
        }
        return entries
    }

    /// `*:21116`, `127.0.0.1:21116`, `[::1]:21116`; a connected UDP socket's `a->b` counts by
    /// its local side.
    static func endpoint(_ name: String) -> (IPAddress, UInt16)? {
        let local = name.components(separatedBy: "->")[0]
        guard let colon = local.lastIndex(of: ":"), let port = UInt16(local[local.index(after: colon)...]) else { return nil }
        var host = String(local[..<colon])
        if host == "*" { return (.ipv4Unspecified, port) }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return IPAddress(host).map { ($0, port) }
    }

    #if os(macOS)
    /// Untested here (see above).
    static func occupancy(of port: InspectedPort, own: OwnProcesses, runner: HostCommandRunner) async -> PortOccupancy {
        let output: HostCommandRunner.Output
        do {
            output = try await runner.run("lsof", arguments(for: port))
        } catch {
            return .couldNotInspect("\(error)")
        }
        // lsof exits 1 when nothing matched.
        let entries = parse(output.stdout).filter { $0.port == port.port }
        if entries.isEmpty { return output.exitCode == 0 || output.exitCode == 1 ? .free : .couldNotInspect(FirewallInspection.reason("lsof", output)) }
        var owners: [ListenerOwner] = []
        for entry in entries {
            let commandLine = (try? await runner.run("ps", ["-o", "command=", "-p", String(entry.pid)]))?.stdout
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? entry.command
            let ours = own.pids.contains(entry.pid)
            let program = ours ? KnownProgram.homeport
                : KnownProgram.recognise(executable: nil, arguments: commandLine.split(separator: " ").map(String.init), kernelName: entry.command)
            let process = ListeningProcess(pid: entry.pid, user: entry.user, commandLine: String(commandLine.prefix(ProcessCommandLine.maximumLength)),
                                           executable: nil, program: program)
            owners.append(ListenerOwner(port: port, boundAddress: entry.address, identity: .process(process), isOurs: ours))
        }
        return .heldBy(owners)
    }
    #endif
}
