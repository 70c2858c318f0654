import RustDeskWire

/// What the server knows about one registered id (docs/rustdesk-protocol.md#peer-entry), packed into 96 bytes with no
/// heap allocation: at 100 000 peers the live table must stay around 20 MB.
struct PeerEntry: Sendable {
    /// The device key; meaningful when `flags` has `hasKey` (and not `oddKey`).
    var key: PeerKey
    var uuid: UInt64
    /// Where to reach the peer over UDP (`port` 0 until it registers in this run).
    var address: CompactIP
    /// Source IP of the last accepted RegisterPk (what the database's `info` holds).
    var ip: CompactIP
    var lastRegistration: Int64
    var registerPkTime: Int64
    var port: UInt16
    var registerPkCount: UInt8
    var flags: Flags

    struct Flags: OptionSet, Sendable {
        let rawValue: UInt8
        static let hasKey = Flags(rawValue: 1)
        static let hasUUID = Flags(rawValue: 2)
        /// A database row exists for this id.
        static let persisted = Flags(rawValue: 4)
        /// The key is not 32 bytes; the table keeps it on the side.
        static let oddKey = Flags(rawValue: 8)
        /// A free slot in the table's storage.
        static let vacant = Flags(rawValue: 16)
        /// Created by homeport and not seen again since (see `UnconfirmedPeers`).
        static let unconfirmed = Flags(rawValue: 32)
    }

    static let noKey = PeerKey([UInt8](repeating: 0, count: 32))!

    /// A fresh entry for an id never seen before: offline, no key.
    static func empty(now: Int64) -> PeerEntry {
        PeerEntry(key: noKey, uuid: 0, address: .unknown, ip: .unknown, lastRegistration: now - 3_600_000,
                  registerPkTime: 0, port: 0, registerPkCount: 0, flags: [])
    }

    /// An entry loaded from the database: known, but offline until it registers.
    static func loaded(_ row: PeerRow, now: Int64) -> PeerEntry {
        var entry = empty(now: now)
        entry.flags.insert(.persisted)
        if !row.uuid.isEmpty {
            entry.uuid = UUIDDigest.of(row.uuid)
            entry.flags.insert(.hasUUID)
        }
        if !row.pk.isEmpty {
            entry.flags.insert(.hasKey)
            if let key = PeerKey(row.pk) { entry.key = key } else { entry.flags.insert(.oddKey) }
        }
        entry.ip = CompactIP(text: row.ip)
        if row.unconfirmed { entry.flags.insert(.unconfirmed) }
        return entry
    }

    var socketAddress: PeerAddress { address.address(port: port) }

    func isOnline(now: Int64) -> Bool {
        now - lastRegistration < RendezvousTimings.registrationTimeout
    }
}

enum RendezvousTimings {
    /// A peer is online for this long after its last successful registration.
    static let registrationTimeout: Int64 = 30_000
    /// Per-id RegisterPk burst window.
    static let registerPkWindow: Int64 = 6_000
}
