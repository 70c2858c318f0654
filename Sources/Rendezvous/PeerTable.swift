import RustDeskWire
import Synchronization

/// The live table of registered ids and the registration rules of spec §5.2.3–5.2.4.
///
/// One lock around a dictionary: registration (UDP) and lookups (TCP) run on different event
/// loops, and every operation is a few map accesses, far cheaper than hopping to an actor.
final class PeerTable: Sendable {
    private let state = Mutex<State>(State())

    struct State {
        var peers: [String: PeerEntry] = [:]
        var blocker = IPBlocker()
    }

    var count: Int { state.withLock { $0.peers.count } }

    func onlineCount(now: Int64) -> Int {
        state.withLock { $0.peers.values.reduce(0) { $0 + ($1.isOnline(now: now) ? 1 : 0) } }
    }

    func contains(_ id: String) -> Bool {
        state.withLock { $0.peers[id] != nil }
    }

    func entry(_ id: String) -> PeerEntry? {
        state.withLock { $0.peers[id] }
    }

    func isOnline(_ id: String, now: Int64) -> Bool {
        state.withLock { $0.peers[id]?.isOnline(now: now) ?? false }
    }

    /// Caches a database row (or nothing) for an id not yet in memory.
    func load(_ id: String, row: PeerRow?, now: Int64) {
        state.withLock { state in
            guard state.peers[id] == nil, let row else { return }
            state.peers[id] = .loaded(row, now: now)
        }
    }

    // MARK: RegisterPeer (§5.2.3)

    /// Returns `request_pk`; refreshes the peer's address and online time when false.
    func registerPeer(id: String, from source: PeerAddress, now: Int64) -> Bool {
        state.withLock { state in
            guard var entry = state.peers[id] else { return true }
            var ipChanged: Bool
            if entry.socketAddress.port != 0 {
                ipChanged = !source.sameIP(as: entry.socketAddress)
            } else {
                ipChanged = source.ipText != entry.ip
            }
            if source.isLoopback { ipChanged = false }
            let requestPk = entry.pk == nil || ipChanged
            if !requestPk {
                entry.socketAddress = source
                entry.lastRegistration = now
                state.peers[id] = entry
            }
            return requestPk
        }
    }

    // MARK: RegisterPk (§5.2.4)

    enum RegisterPkOutcome {
        /// Accepted; the change to persist, if the pk or IP changed.
        case ok(PeerChange?)
        case uuidMismatch
        case tooFrequent
    }

    /// The IP limiter step (3), separate because it runs before the database lookup.
    func ipAllows(ip: String, id: String, now: Int64) -> Bool {
        state.withLock { $0.blocker.allow(ip: ip, id: id, now: now) }
    }

    /// Steps 4–8, once the entry is in memory (or known to be absent from the database).
    func registerPk(id: String, uuid: [UInt8], pk: [UInt8], from source: PeerAddress, now: Int64) -> RegisterPkOutcome {
        state.withLock { state in
            var entry = state.peers[id] ?? .empty(now: now)
            let sourceIP = source.ipText
            let requestUUID = UUIDDigest(uuid)
            let requestKey = PeerKey(pk)
            var changed: Bool
            var ipChanged = false
            if entry.uuid == nil {
                changed = true
            } else if entry.uuid != requestUUID {
                return .uuidMismatch
            } else if entry.ip != sourceIP && entry.pk != requestKey {
                return .uuidMismatch
            } else {
                ipChanged = entry.ip != sourceIP
                changed = entry.pk != requestKey || ipChanged
            }
            if now - entry.registerPkTime > RendezvousTimings.registerPkWindow {
                entry.registerPkCount = 0
            } else if entry.registerPkCount > 2 {
                return .tooFrequent
            }
            entry.registerPkCount += 1
            entry.registerPkTime = now
            var change: PeerChange?
            if changed {
                entry.socketAddress = source
                entry.lastRegistration = now
                entry.pk = requestKey
                entry.uuid = requestUUID
                entry.ip = sourceIP
                let row = PeerRow(id: id, uuid: uuid, pk: pk, ip: sourceIP)
                change = entry.persisted ? .update(row) : .insert(row)
                entry.persisted = true
            } else {
                // Upstream leaves the address alone here; refreshing it lets a peer reappear
                // online right after a server restart (spec §5.2.4, "implementation freedom").
                entry.socketAddress = source
                entry.lastRegistration = now
            }
            state.peers[id] = entry
            return .ok(change)
        }
    }

    // MARK: Maintenance and admin

    /// Forgets peers that have been offline for `idle` and are safely in the database, so the
    /// live table holds the active peers, not every id ever seen (upstream never evicts). An
    /// evicted peer that comes back is asked for its key once, as after a restart.
    @discardableResult
    func evictIdle(now: Int64, idle: Int64 = 86_400_000) -> Int {
        state.withLock { state in
            let before = state.peers.count
            state.peers = state.peers.filter { _, entry in
                !entry.persisted || now - entry.lastRegistration < idle || now - entry.registerPkTime < idle
            }
            return before - state.peers.count
        }
    }

    func pruneBlocker(now: Int64) {
        state.withLock { $0.blocker.prune(now: now) }
    }

    func blockerSummary(now: Int64) -> [String] {
        state.withLock { state in
            state.blocker.prune(now: now)
            return state.blocker.states.keys.sorted().compactMap { state.blocker.describe(ip: $0, now: now) }
        }
    }
}
