import InternetAddress

/// Which of the listeners found are homeport's own: its pids (the daemon's, from the control
/// socket, and the servers it supervises) and its executable (`/proc/self/exe`). The caller
/// decides; this module only compares.
public struct OwnProcesses: Sendable, Hashable {
    public var pids: Set<Int32>
    public var executable: String?

    public init(pids: Set<Int32> = [], executable: String? = nil) {
        self.pids = pids
        self.executable = executable
    }
}

/// A process that has a listening socket open.
public struct ListeningProcess: Sendable, Hashable {
    public var pid: Int32
    /// The user the socket belongs to (name, or the uid when it has none).
    public var user: String
    /// The arguments, shell-quoted and cut to a readable length.
    public var commandLine: String
    /// The executable's path, when this user may read it.
    public var executable: String?
    public var program: KnownProgram
}

/// Who holds the socket, as far as this user may see.
public enum ListenerIdentity: Sendable, Hashable {
    case process(ListeningProcess)
    /// No process could be named; the text says why (e.g. "run as root to see which program").
    case unknown(String)
}

/// One socket bound to a built-in server's port, and what to do about it.
public struct ListenerOwner: Sendable, Hashable, CustomStringConvertible {
    public var port: InspectedPort
    /// 0.0.0.0 or :: (every address), or the one address the socket is bound to.
    public var boundAddress: IPAddress
    public var identity: ListenerIdentity
    /// The socket is homeport's own (see `OwnProcesses`): the port is in use as it should be.
    public var isOurs: Bool

    /// Bound to 127.0.0.1 or ::1: nobody outside can reach this listener, but it still keeps
    /// homeport from binding the port on every address.
    public var isLoopbackOnly: Bool { boundAddress.isLoopback }

    /// What to do, for a program this module knows; nil for homeport's own socket.
    public var resolution: String? {
        if isOurs { return nil }
        var advice: [String] = []
        if case .process(let process) = identity, let known = process.program.resolution(for: port) { advice.append(known) }
        if isLoopbackOnly {
            advice.append("it is bound to \(boundAddress) only, so nobody outside can reach it, but homeport cannot bind \(port) on every address while it is there")
        }
        return advice.isEmpty ? nil : advice.joined(separator: "; ")
    }

    /// `21116/udp on 0.0.0.0: pid 4242 (user root): /usr/bin/hbbs -r example.net`
    public var description: String {
        let who = switch identity {
        case .process(let process): "pid \(process.pid) (user \(process.user)): \(process.commandLine)"
        case .unknown(let reason): reason
        }
        return "\(port) on \(boundAddress): \(who)\(isOurs ? " — homeport's own" : "")"
    }
}

/// Whether a built-in server's port is taken on this host.
public enum PortOccupancy: Sendable, Hashable {
    case free
    case heldBy([ListenerOwner])
    /// The sockets could not be listed (no /proc, lsof missing or failing); the text says why.
    case couldNotInspect(String)
}
