import Foundation

/// Something that happened to a supervised service, as stored in the history.
public struct ServiceEvent: Sendable, Equatable, Codable {
    public var id: Int64?
    public var time: Date
    public var service: String
    public var kind: ServiceEventKind
    public var pid: Int32?
    public var exitCode: Int32?
    public var signal: Int32?
    /// Human detail: "restarting in 2s (attempt 3)", "connection refused on tcp:8080".
    public var detail: String?
    /// The daemon run this happened in; filled in by the store.
    public var runID: Int64?

    enum CodingKeys: String, CodingKey {
        case id, time, service, kind, pid, signal, detail
        case exitCode = "exit_code"
        case runID = "run_id"
    }

    public init(time: Date, service: String, kind: ServiceEventKind, pid: Int32? = nil, exitCode: Int32? = nil, signal: Int32? = nil, detail: String? = nil) {
        self.time = time
        self.service = service
        self.kind = kind
        self.pid = pid
        self.exitCode = exitCode
        self.signal = signal
        self.detail = detail
    }

    /// "exited with code 3", "killed by signal 9 (SIGKILL)".
    public var exitDescription: String? {
        if let signal { return "killed by signal \(signal)\(SignalNames.suffix(signal))" }
        if let exitCode { return "exited with code \(exitCode)" }
        return nil
    }
}

public enum ServiceEventKind: String, Sendable, Codable, CaseIterable {
    case start
    case exit
    /// A restart was scheduled; `detail` says when.
    case restart
    case healthFail = "health_fail"
    case healthOK = "health_ok"
    case crashLoop = "crash_loop"
    case spawnFailed = "spawn_failed"
    case portConflict = "port_conflict"
    /// The daemon asked the service to stop (shutdown or reload).
    case stop
}

public enum SignalNames {
    static let names: [Int32: String] = [1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 8: "SIGFPE", 9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM"]

    public static func suffix(_ signal: Int32) -> String {
        names[signal].map { " (\($0))" } ?? ""
    }
}
