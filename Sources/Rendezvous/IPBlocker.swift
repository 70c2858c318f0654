import RustDeskWire

/// The per-source limiter for RegisterPk (docs/rustdesk-protocol.md#source-limiter): at most 32 accepted in a burst whose
/// members are less than 60 s apart, and about 300 distinct ids per source until a full day
/// passes without any RegisterPk from it. Unlike upstream, idle entries are pruned so the table
/// stays bounded.
///
/// A source is an IPv4 address (an IPv4-mapped IPv6 address counts as that IPv4 address), or
/// an IPv6 address's /64. A /64 is one link (RFC 4291 §2.5.4, RFC 7421): one host may use any
/// of its 2^64 addresses (temporary addresses, RFC 8981), so keying IPv6 by address would let
/// one machine register without limit. rustdesk-server (src/rendezvous_server.rs) keys by
/// the full address.
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

    /// The text a source is limited under: "192.0.2.7", or "2001:db8:1:2::/64".
    static func key(for source: PeerAddress) -> String {
        switch source.normalized {
        case .v4(let ip, _):
            return PeerAddress.v4(ip, port: 0).ipText
        case .v6(let ip, _):
            return PeerAddress.v6(ip & ~UInt128(UInt64.max), port: 0).ipText + "/64"
        }
    }

    /// Whether a RegisterPk for `id` from `source` may proceed; updates the state as upstream does.
    mutating func allow(source: PeerAddress, id: String, now: Int64) -> Bool {
        let ip = Self.key(for: source)
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
}
