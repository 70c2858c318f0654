import Foundation

/// A stretch of time in which a service was up, or down for one reason.
public struct UptimeSegment: Sendable, Equatable, Codable {
    public var start: Date
    public var end: Date
    public var up: Bool
    /// Why it was down: "exited with code 1", "homeport not running (no heartbeat)".
    public var cause: String?

    public var duration: TimeInterval { end.timeIntervalSince(start) }
}

/// A maximal down stretch inside the observed window.
public struct Outage: Sendable, Equatable, Codable {
    public var service: String
    public var start: Date
    public var end: Date
    public var cause: String
    /// Still down at the end of the window, which is now.
    public var ongoing: Bool

    public var duration: TimeInterval { end.timeIntervalSince(start) }
}

/// Uptime of one service over one window.
public struct UptimeReport: Sendable, Equatable, Codable {
    public var service: String
    public var from: Date
    public var to: Date
    /// Seconds inside the window for which the service existed (since it was first seen).
    public var observed: TimeInterval
    public var up: TimeInterval
    public var segments: [UptimeSegment]

    /// Share of observed time up, or nil when nothing was observed.
    public var fraction: Double? { observed > 0 ? up / observed : nil }

    public var outages: [Outage] {
        var result: [Outage] = []
        for segment in segments where !segment.up {
            if let last = result.last, last.end == segment.start {
                result[result.count - 1].end = segment.end
            } else {
                result.append(Outage(service: service, start: segment.start, end: segment.end, cause: segment.cause ?? "down", ongoing: false))
            }
        }
        if let last = result.last, last.end >= to {
            result[result.count - 1].ongoing = true
        }
        return result
    }

    /// Fraction up within `[start, end)`, or nil when that stretch was not observed.
    public func fraction(from start: Date, to end: Date) -> Double? {
        var observed: TimeInterval = 0
        var up: TimeInterval = 0
        for segment in segments where segment.end > start && segment.start < end {
            let overlap = min(segment.end, end).timeIntervalSince(max(segment.start, start))
            observed += overlap
            if segment.up { up += overlap }
        }
        return observed > 0 ? up / observed : nil
    }
}

/// Computes uptime from service events and daemon runs.
///
/// A service is up from `start` (or `health_ok`) until `exit`, `health_fail` or any other
/// failure event, and never while the daemon is not running: children die with the daemon,
/// so a run that ended without a clean stop (power cut, `kill -9`) ends every service's up
/// time at its last heartbeat, and the gap until the next run counts as downtime.
public enum UptimeCalculator {
    public static func report(
        service: String,
        events: [ServiceEvent],
        stateBefore: ServiceEvent?,
        runs: [DaemonRun],
        firstSeen: Date?,
        from: Date,
        to: Date,
        now: Date
    ) -> UptimeReport {
        var report = UptimeReport(service: service, from: from, to: to, observed: 0, up: 0, segments: [])
        guard let firstSeen, firstSeen < to else { return report }
        let start = max(from, firstSeen)
        var segments: [UptimeSegment] = []
        func add(_ a: Date, _ b: Date, _ up: Bool, _ cause: String?) {
            guard b > a else { return }
            if let last = segments.last, last.up == up, last.end == a, up || last.cause == cause {
                segments[segments.count - 1].end = b
            } else {
                segments.append(UptimeSegment(start: a, end: b, up: up, cause: up ? nil : cause))
            }
        }

        var cursor = start
        var previousRun: DaemonRun?
        let sortedEvents = events.sorted { $0.time < $1.time }
        var eventIndex = sortedEvents.startIndex
        let orderedRuns = runs.sorted(by: { $0.startedAt < $1.startedAt })
        for (index, run) in orderedRuns.enumerated() {
            // Only the latest run can still be alive; an earlier one ended at its last sign
            // of life, and never later than the start of the run after it.
            let next = index + 1 < orderedRuns.count ? orderedRuns[index + 1] : nil
            var runEnd = next == nil && run.isLive(now: now) ? now : run.end
            if let next { runEnd = min(runEnd, next.startedAt) }
            let runStart = max(run.startedAt, start)
            let windowEnd = min(runEnd, to)
            guard windowEnd > runStart else { previousRun = run; continue }
            if cursor < runStart {
                add(cursor, runStart, false, gapCause(after: previousRun))
            }
            var up = false
            var cause = "homeport starting"
            if run.startedAt < start, let before = stateBefore, before.time >= run.startedAt {
                up = isUp(after: before)
                cause = downCause(before) ?? "not running"
            }
            var t = runStart
            while eventIndex < sortedEvents.endIndex, sortedEvents[eventIndex].time < runStart {
                eventIndex += 1
            }
            while eventIndex < sortedEvents.endIndex, sortedEvents[eventIndex].time <= windowEnd {
                let event = sortedEvents[eventIndex]
                eventIndex += 1
                let nowUp = transition(up: up, event)
                if nowUp != up {
                    add(t, event.time, up, cause)
                    t = event.time
                    up = nowUp
                    if !nowUp { cause = downCause(event) ?? "down" }
                }
            }
            add(t, windowEnd, up, cause)
            cursor = max(cursor, windowEnd)
            previousRun = run
        }
        if cursor < to {
            add(cursor, to, false, gapCause(after: previousRun))
        }
        report.segments = segments
        report.observed = to.timeIntervalSince(start)
        report.up = segments.filter(\.up).reduce(0) { $0 + $1.duration }
        return report
    }

    static func transition(up: Bool, _ event: ServiceEvent) -> Bool {
        switch event.kind {
        case .start, .healthOK: return true
        case .exit, .healthFail, .spawnFailed, .portConflict, .stop, .crashLoop: return false
        case .restart: return up
        }
    }

    static func isUp(after event: ServiceEvent) -> Bool {
        transition(up: false, event)
    }

    static func downCause(_ event: ServiceEvent) -> String? {
        switch event.kind {
        case .exit: return event.exitDescription ?? "exited"
        case .healthFail: return "health check failed" + (event.detail.map { ": \($0)" } ?? "")
        case .spawnFailed: return "could not start" + (event.detail.map { ": \($0)" } ?? "")
        case .portConflict: return event.detail ?? "port already in use"
        case .stop: return "stopped by homeport" + (event.detail.map { " (\($0))" } ?? "")
        case .crashLoop: return "crash-looping"
        case .start, .healthOK, .restart: return nil
        }
    }

    static func gapCause(after run: DaemonRun?) -> String {
        guard let run else { return "homeport not running" }
        return run.endedCleanly ? "homeport stopped" : "host or homeport down (no heartbeat)"
    }
}
