import History

/// What `homeport status` shows about the rendezvous server.
public struct RendezvousSummary: Codable, Sendable, Equatable {
    public var port: Int
    public var publicKey: String?
    public var licenceKeyEnforced: Bool
    public var onlinePeers: Int
    public var peersInMemory: Int
    public var peersInDatabase: Int?
    public var relayServers: [String]
    public var alwaysUseRelay: Bool
    public var counters: [String: Int]
    /// Per listener, the last contact from a public address since the server started.
    public var outsideContacts: [OutsideContact]?

    enum CodingKeys: String, CodingKey {
        case port, counters
        case publicKey = "public_key"
        case licenceKeyEnforced = "licence_key_enforced"
        case onlinePeers = "online_peers"
        case peersInMemory = "peers_in_memory"
        case peersInDatabase = "peers_in_database"
        case relayServers = "relay_servers"
        case alwaysUseRelay = "always_use_relay"
        case outsideContacts = "outside_contacts"
    }

    public init(port: Int, publicKey: String?, licenceKeyEnforced: Bool, onlinePeers: Int, peersInMemory: Int,
                peersInDatabase: Int?, relayServers: [String], alwaysUseRelay: Bool, counters: [String: Int]) {
        self.port = port
        self.publicKey = publicKey
        self.licenceKeyEnforced = licenceKeyEnforced
        self.onlinePeers = onlinePeers
        self.peersInMemory = peersInMemory
        self.peersInDatabase = peersInDatabase
        self.relayServers = relayServers
        self.alwaysUseRelay = alwaysUseRelay
        self.counters = counters
    }
}
