/// The per-source-IP limiter for RegisterPk (spec §5.2.5): at most 32 accepted in a burst
/// whose members are less than 60 s apart, and about 300 distinct ids per IP until a full day
/// passes without any RegisterPk from it. Unlike upstream, idle entries are pruned so the table
/// stays bounded.
struct IPBlocker {
    struct State {
        var count: Int
        var countTime: Int64
        /// Hashes of the ids seen (8 bytes each instead of a String per id).
        var ids: Set<Int>
        var idsTime: Int64
    }

    static let countWindow: Int64 = 60_000
    static let maxCount = 30
    static let idWindow: Int64 = 86_400_000
    static let maxIDs = 300

    private(set) var states: [String: State] = [:]

    /// Whether a RegisterPk for `id` from `ip` may proceed; updates the state as upstream does.
    mutating func allow(ip: String, id: String, now: Int64) -> Bool {
        guard var state = states[ip] else {
            states[ip] = State(count: 0, countTime: now, ids: [], idsTime: now)
            return true
        }
        if now - state.countTime > Self.countWindow {
            state.count = 0
        } else if state.count > Self.maxCount {
            return false
        }
        state.count += 1
        state.countTime = now
        let idHash = id.hashValue
        let isNew = !state.ids.contains(idHash)
        if now - state.idsTime > Self.idWindow {
            state.ids.removeAll()
        } else if state.ids.count > Self.maxIDs {
            states[ip] = state
            return !isNew
        }
        if isNew { state.ids.insert(idHash) }
        state.idsTime = now
        states[ip] = state
        return true
    }

    /// Drops IPs whose both windows have expired: they would be treated as new anyway.
    mutating func prune(now: Int64) {
        states = states.filter { _, state in
            now - state.countTime <= Self.countWindow || now - state.idsTime <= Self.idWindow
        }
    }

    func describe(ip: String, now: Int64) -> String? {
        guard let state = states[ip] else { return nil }
        return "\(ip): \(state.count)/\((now - state.countTime) / 1000)s \(state.ids.count)/\((now - state.idsTime) / 1000)s"
    }

    mutating func remove(ip: String) {
        states[ip] = nil
    }
}
