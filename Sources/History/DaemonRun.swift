import Foundation

/// One life of the daemon, from start to clean stop or last heartbeat. The gaps between runs
/// are the times homeport (or the whole host) was not running.
public struct DaemonRun: Sendable, Equatable, Codable {
    public var id: Int64
    public var startedAt: Date
    public var lastHeartbeat: Date
    public var stoppedAt: Date?
    public var pid: Int32
    public var version: String
    public var heartbeatInterval: TimeInterval

    /// When this run is known to have ended: the clean stop, or the last sign of life.
    public var end: Date { stoppedAt ?? lastHeartbeat }
    public var endedCleanly: Bool { stoppedAt != nil }

    /// A run without a clean stop whose heartbeat is recent is taken to be the live daemon.
    public func isLive(now: Date) -> Bool {
        stoppedAt == nil && now.timeIntervalSince(lastHeartbeat) <= heartbeatInterval * 2.5
    }
}
