import Paths

/// The files homeport keeps in its state directory.
public struct StateLayout: Sendable, Equatable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public var historyDatabase: String { join(directory, "history.sqlite3") }
    public var controlSocket: String { join(directory, "homeport.sock") }
}
