import Paths

/// The files homeport keeps in its state directory.
public struct StateLayout: Sendable, Equatable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public var historyDatabase: String { join(directory, "history.sqlite3") }
    public var controlSocket: String { join(directory, "homeport.sock") }
    /// Router mappings made by `homeport portmap add`, kept so `remove` can undo them (PCP
    /// deletes need the nonce the mapping was made with).
    public var portmapLeases: String { join(directory, "portmap-leases.json") }
    /// The services' processes (pid, group, session, start time), so the next start can stop
    /// what a `kill -9` of the daemon left running (see the Supervisor's `ProcessRecord`).
    public var serviceProcesses: String { join(directory, "service-processes.json") }
}
