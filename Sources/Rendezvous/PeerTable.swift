import RustDeskWire
import Synchronization

/// The live table of registered ids and the registration rules of docs/rustdesk-protocol.md#register-peer, #register-pk.
///
/// One lock around dense storage: entries live in one array (96 bytes each, no per-entry
/// allocation) found through an id → slot dictionary, which keeps 100 000 peers under 20 MB
/// where a `[String: PeerEntry]` would cost twice that. Evicted slots are reused. Registration (UDP) and lookups (TCP)
/// run on different event loops, and every operation is a few array and map accesses, far
/// cheaper than hopping to an actor.
final class PeerTable: Sendable {
    private let state: Mutex<State>

    init(newIDsPerMinute: Int = 300) {
        state = Mutex(State(creations: CreationLimiter(perMinute: newIDsPerMinute)))
    }

    struct State {
        var index: [String: Int32] = [:]
        var entries: [PeerEntry] = []
        /// Slots of evicted entries, reused before the array grows.
        var free: [Int32] = []
        /// Keys that are not 32 bytes long (no real client sends one).
        var oddKeys: [String: [UInt8]] = [:]
        var blocker = IPBlocker()
        var creations: CreationLimiter

        func position(_ id: String) -> Int? {
            index[id].map(Int.init)
        }

        mutating func store(_ entry: PeerEntry, for id: String) {
            if let i = position(id) {
                entries[i] = entry
            } else if let slot = free.popLast() {
                entries[Int(slot)] = entry
                index[id] = slot
            } else {
                index[id] = Int32(entries.count)
                entries.append(entry)
            }
        }

        mutating func remove(_ id: String) {
            guard let slot = index.removeValue(forKey: id) else { return }
            entries[Int(slot)].flags = .vacant
            free.append(slot)
            oddKeys[id] = nil
        }
    }

    var count: Int { state.withLock { $0.index.count } }

    func onlineCount(now: Int64) -> Int {
        state.withLock { $0.entries.reduce(0) { $0 + (!$1.flags.contains(.vacant) && $1.isOnline(now: now) ? 1 : 0) } }
    }

    func contains(_ id: String) -> Bool {
        state.withLock { $0.index[id] != nil }
    }

    func entry(_ id: String) -> PeerEntry? {
        state.withLock { state in state.position(id).map { state.entries[$0] } }
    }

    /// The device key registered for `id`, if any.
    func publicKey(_ id: String) -> [UInt8]? {
        state.withLock { state in
            guard let i = state.position(id), state.entries[i].flags.contains(.hasKey) else { return nil }
            return state.entries[i].flags.contains(.oddKey) ? state.oddKeys[id] : state.entries[i].key.bytes
        }
    }

    func isOnline(_ id: String, now: Int64) -> Bool {
        state.withLock { state in state.position(id).map { state.entries[$0].isOnline(now: now) } ?? false }
    }

    /// Caches a database row for an id not yet in memory (nothing when there is no row).
    func load(_ id: String, row: PeerRow?, now: Int64) {
        state.withLock { state in
            guard state.index[id] == nil, let row else { return }
            let entry = PeerEntry.loaded(row, now: now)
            if entry.flags.contains(.oddKey) { state.oddKeys[id] = row.pk }
            state.store(entry, for: id)
        }
    }

    // MARK: RegisterPeer (docs/rustdesk-protocol.md#register-peer)

    /// Returns `request_pk`; refreshes the peer's address and online time when false.
    func registerPeer(id: String, from source: PeerAddress, now: Int64) -> Bool {
        state.withLock { state in
            guard let i = state.position(id) else { return true }
            var entry = state.entries[i]
            let sourceIP = CompactIP(source)
            // A peer fresh from the database has no address yet: compare with its stored IP.
            var ipChanged = entry.port != 0 ? sourceIP != entry.address : sourceIP != entry.ip
            if source.isLoopback { ipChanged = false }
            let requestPk = !entry.flags.contains(.hasKey) || ipChanged
            if !requestPk {
                entry.address = sourceIP
                entry.port = source.port
                entry.lastRegistration = now
                state.entries[i] = entry
            }
            return requestPk
        }
    }

    // MARK: RegisterPk (docs/rustdesk-protocol.md#register-pk)

    enum RegisterPkOutcome {
        /// Accepted; the change to persist, if the pk or IP changed.
        case ok(PeerChange?)
        case uuidMismatch
        case tooFrequent
        /// A new id beyond the server-wide new ids per minute.
        case tooManyNewIDs
    }

    /// The per-source limiter step (3), separate because it runs before the database lookup.
    func ipAllows(source: PeerAddress, id: String, now: Int64) -> Bool {
        state.withLock { $0.blocker.allow(source: source, id: id, now: now) }
    }

    /// Steps 4–8, once the entry is in memory (or known to be absent from the database).
    func registerPk(id: String, uuid: [UInt8], pk: [UInt8], from source: PeerAddress, now: Int64) -> RegisterPkOutcome {
        state.withLock { state in
            let known = state.position(id).map { state.entries[$0] }
            if known == nil, !state.creations.allow(now: now) { return .tooManyNewIDs }
            var entry = known ?? .empty(now: now)
            let sourceIP = CompactIP(source)
            let requestUUID = UUIDDigest.of(uuid)
            let requestKey = PeerKey(pk)
            let keyDiffers: Bool
            if !entry.flags.contains(.hasKey) {
                keyDiffers = true
            } else if entry.flags.contains(.oddKey) {
                keyDiffers = state.oddKeys[id] != pk
            } else {
                keyDiffers = requestKey != entry.key
            }
            var changed: Bool
            if !entry.flags.contains(.hasUUID) {
                changed = true
            } else if entry.uuid != requestUUID {
                return .uuidMismatch
            } else if entry.ip != sourceIP && keyDiffers {
                return .uuidMismatch
            } else {
                changed = keyDiffers || entry.ip != sourceIP
            }
            if now - entry.registerPkTime > RendezvousTimings.registerPkWindow {
                entry.registerPkCount = 0
            } else if entry.registerPkCount > 2 {
                return .tooFrequent
            }
            entry.registerPkCount += 1
            entry.registerPkTime = now
            // Upstream leaves the address alone when nothing changed; refreshing it lets a peer
            // reappear online right after a server restart (docs/rustdesk-protocol.md#register-pk, step 9).
            entry.address = sourceIP
            entry.port = source.port
            entry.lastRegistration = now
            var change: PeerChange?
            if changed {
                entry.uuid = requestUUID
                entry.ip = sourceIP
                entry.flags.formUnion([.hasKey, .hasUUID])
                if let requestKey {
                    entry.key = requestKey
                    entry.flags.remove(.oddKey)
                    state.oddKeys[id] = nil
                } else {
                    entry.flags.insert(.oddKey)
                    state.oddKeys[id] = pk
                }
                let row = PeerRow(id: id, uuid: uuid, pk: pk, ip: source.ipText)
                if entry.flags.contains(.persisted) {
                    change = .update(row)
                } else {
                    change = .insert(row)
                    entry.flags.insert(.unconfirmed)
                }
                entry.flags.insert(.persisted)
            }
            state.store(entry, for: id)
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
            let idle = state.index.filter { _, slot in
                let entry = state.entries[Int(slot)]
                return entry.flags.contains(.persisted) && now - entry.lastRegistration >= idle && now - entry.registerPkTime >= idle
            }
            for id in idle.keys { state.remove(id) }
            return idle.count
        }
    }

    /// After a refreshing RegisterPeer: true once (clearing the mark) when an unconfirmed id
    /// is seen alive at least `UnconfirmedPeers.confirmAfter` after its last RegisterPk.
    func confirmIfDue(_ id: String, now: Int64) -> Bool {
        state.withLock { state in
            guard let i = state.position(id), state.entries[i].flags.contains(.unconfirmed),
                  now - state.entries[i].registerPkTime >= UnconfirmedPeers.confirmAfter else { return false }
            state.entries[i].flags.remove(.unconfirmed)
            return true
        }
    }

    /// Whether an unconfirmed id may be deleted: not in memory, or there still unconfirmed and
    /// offline.
    func mayPrune(_ id: String, now: Int64) -> Bool {
        state.withLock { state in
            guard let i = state.position(id) else { return true }
            return state.entries[i].flags.contains(.unconfirmed) && !state.entries[i].isOnline(now: now)
        }
    }

    func forget(_ ids: [String]) {
        state.withLock { state in
            for id in ids { state.remove(id) }
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
