import NIOCore
import Synchronization

/// Caps the connections one source (`SourceKey`) may hold open on a server's TCP listeners
/// together, so that one host cannot take every file descriptor and lock real clients out.
/// Refusals are reported through `report`, rate-limited so that an attacker cannot flood the
/// log: the first refusal of each source in a minute (up to `namedPerMinute` sources), then one
/// summary line with the count of the rest, written by `flush()` (which the servers call from
/// their periodic housekeeping) or at the first refusal or close after the minute has passed.
public final class SourceConnectionLimit: Sendable {
    public let maximum: Int
    static let namedPerMinute = 10
    static let window: Duration = .seconds(60)

    private struct State {
        var open: [SourceKey: Int] = [:]
        var windowStart: ContinuousClock.Instant?
        var named: Set<SourceKey> = []
        var unnamedRefusals = 0
        var unnamedSources: Set<SourceKey> = []
    }

    private let state = Mutex(State())
    private let report: @Sendable (String) -> Void

    public init(maximum: Int, report: @escaping @Sendable (String) -> Void) {
        self.maximum = maximum
        self.report = report
    }

    /// Counts `channel` against its source and returns true (its close releases the place),
    /// or returns false when the source is at the cap: the caller closes it and counts that.
    public func admit(_ channel: any Channel, source: PeerAddress) -> Bool {
        let key = SourceKey(source)
        guard admit(key, now: .now) else { return false }
        channel.closeFuture.whenComplete { _ in self.release(key, now: .now) }
        return true
    }

    func admit(_ key: SourceKey, now: ContinuousClock.Instant) -> Bool {
        var lines: [String] = []
        let admitted = state.withLock { state -> Bool in
            lines += Self.endWindowIfOver(&state, now: now)
            let open = state.open[key, default: 0]
            if open < maximum {
                state.open[key] = open + 1
                return true
            }
            if state.windowStart == nil { state.windowStart = now }
            if state.named.count < Self.namedPerMinute, state.named.insert(key).inserted {
                lines.append("refusing connections from \(key): it already has \(open) open, the most allowed per source (--max-connections-per-ip); further refusals are summed up once a minute")
            } else {
                state.unnamedRefusals += 1
                if state.unnamedSources.count < 1000 { state.unnamedSources.insert(key) }
            }
            return false
        }
        for line in lines { report(line) }
        return admitted
    }

    func release(_ key: SourceKey, now: ContinuousClock.Instant) {
        let lines = state.withLock { state -> [String] in
            let open = state.open[key, default: 1] - 1
            state.open[key] = open > 0 ? open : nil
            return Self.endWindowIfOver(&state, now: now)
        }
        for line in lines { report(line) }
    }

    /// Writes the summary of the last minute's unnamed refusals once the minute is over.
    public func flush() {
        flush(now: .now)
    }

    func flush(now: ContinuousClock.Instant) {
        let lines = state.withLock { Self.endWindowIfOver(&$0, now: now) }
        for line in lines { report(line) }
    }

    /// Connections open from `source`'s key (for tests and status).
    public func openCount(_ source: PeerAddress) -> Int {
        state.withLock { $0.open[SourceKey(source)] ?? 0 }
    }

    private static func endWindowIfOver(_ state: inout State, now: ContinuousClock.Instant) -> [String] {
        guard let start = state.windowStart, now - start >= window else { return [] }
        var lines: [String] = []
        if state.unnamedRefusals > 0 {
            let sources = state.unnamedSources.count >= 1000 ? "1000 or more" : "\(state.unnamedSources.count)"
            lines.append("refused \(state.unnamedRefusals) more connections over the per-source cap in the last minute, from \(sources) sources")
        }
        state.windowStart = nil
        state.named = []
        state.unnamedRefusals = 0
        state.unnamedSources = []
        return lines
    }
}
