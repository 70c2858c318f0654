import Daemon

/// The built-in services this binary can run as children. The rendezvous and relay servers
/// register here when they land; until then the daemon runs only `[[service]]` entries.
enum Builtins {
    static let all: [BuiltinService] = []
}
