/// One row of the `peer` table (the schema of rustdesk-server's `db_v2.sqlite3`).
public struct PeerRow: Sendable, Equatable {
    public var id: String
    public var uuid: [UInt8]
    public var pk: [UInt8]
    /// Textual IP from the row's `info` JSON (`{"ip":"…"}`), "" when absent.
    public var ip: String
    /// homeport created it and has not seen it since (not a column of `peer`: see
    /// `UnconfirmedPeers`).
    public var unconfirmed: Bool

    public init(id: String, uuid: [UInt8], pk: [UInt8], ip: String, unconfirmed: Bool = false) {
        self.id = id
        self.uuid = uuid
        self.pk = pk
        self.ip = ip
        self.unconfirmed = unconfirmed
    }
}
