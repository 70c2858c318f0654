import RustDeskWire

/// What the server knows about one registered id (spec §5.2.2), kept compact: no per-entry
/// heap allocation for the usual 9-10 digit id, IPv4 text and 32-byte key.
struct PeerEntry: Sendable {
    var pk: PeerKey?
    var uuid: UUIDDigest?
    /// Where to reach the peer over UDP; port 0 until it registers in this run.
    var socketAddress: PeerAddress
    var lastRegistration: Int64
    /// Textual source IP of the last accepted RegisterPk (what the database's `info` holds).
    var ip: String
    /// Whether a database row exists for this id.
    var persisted: Bool
    var registerPkCount: UInt8 = 0
    var registerPkTime: Int64 = 0

    static let unknownAddress = PeerAddress.v4(0, port: 0)

    /// A fresh entry for an id never seen before.
    static func empty(now: Int64) -> PeerEntry {
        PeerEntry(pk: nil, uuid: nil, socketAddress: unknownAddress, lastRegistration: now - 3_600_000, ip: "", persisted: false)
    }

    /// An entry loaded from the database: known, but offline until it registers.
    static func loaded(_ row: PeerRow, now: Int64) -> PeerEntry {
        PeerEntry(pk: row.pk.isEmpty ? nil : PeerKey(row.pk), uuid: row.uuid.isEmpty ? nil : UUIDDigest(row.uuid),
                  socketAddress: unknownAddress, lastRegistration: now - 3_600_000, ip: row.ip, persisted: true)
    }

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
