/// The files homeport keeps in its state directory. Every state file name is defined here and
/// nowhere else, so the daemon, the CLI commands and the built-in servers cannot disagree.
public struct StateLayout: Sendable, Equatable {
    /// The bare names, for code handed some other directory (the RustDesk servers' key
    /// directory, the relay's working directory) or that must match a name.
    public enum FileName {
        public static let historyDatabase = "history.sqlite3"
        public static let controlSocket = "homeport.sock"
        public static let instanceLock = "homeport.lock"
        public static let portmapLeases = "portmap-leases.json"
        public static let serviceProcesses = "service-processes.json"
        public static let ddnsFingerprintKey = "ddns-fingerprint.key"
        /// hbbs's peer database name, kept so an existing hbbs state directory works as is.
        public static let rendezvousDatabase = "db_v2.sqlite3"
        public static let rendezvousAdminSocket = "rendezvous.sock"
        public static let relayAdminSocket = "relay.sock"
        /// The RustDesk server key files, named as hbbs/hbbr name them (see `KeyFiles`).
        public static let serverSecretKey = "id_ed25519"
        public static let serverPublicKey = "id_ed25519.pub"
        /// hbbr's address lists, read from the working directory and the state directory.
        public static let relayBlacklist = "blacklist.txt"
        public static let relayBlocklist = "blocklist.txt"
    }

    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public var historyDatabase: String { join(directory, FileName.historyDatabase) }
    public var controlSocket: String { join(directory, FileName.controlSocket) }
    /// Held while a daemon runs (`InstanceLock`), so a second one refuses to start.
    public var instanceLock: String { join(directory, FileName.instanceLock) }
    /// Router mappings made by `homeport portmap add`, kept so `remove` can undo them (PCP
    /// deletes need the nonce the mapping was made with).
    public var portmapLeases: String { join(directory, FileName.portmapLeases) }
    /// The services' processes (pid, group, session, start time), so the next start can stop
    /// what a `kill -9` of the daemon left running (see the Supervisor's `ProcessRecord`).
    public var serviceProcesses: String { join(directory, FileName.serviceProcesses) }
    /// The key that makes the DDNS configuration fingerprints in the history unguessable.
    public var ddnsFingerprintKey: String { join(directory, FileName.ddnsFingerprintKey) }
    public var rendezvousDatabase: String { join(directory, FileName.rendezvousDatabase) }
    public var rendezvousAdminSocket: String { join(directory, FileName.rendezvousAdminSocket) }
    public var relayAdminSocket: String { join(directory, FileName.relayAdminSocket) }
}
