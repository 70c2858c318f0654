import History

/// What `homeport status` and `homeport admin relay …` show about the relay.
public struct RelaySummary: Codable, Sendable, Equatable {
    public var port: Int
    public var licenceKeyEnforced: Bool
    public var activeSessions: Int
    public var waiting: Int
    public var bytesRelayed: Int64
    public var counters: RelayCounters
    public var usage: [RelaySessionUsage]
    /// Per listener, the last contact from a public address since the server started.
    public var outsideContacts: [OutsideContact]?

    enum CodingKeys: String, CodingKey {
        case port, waiting, counters, usage
        case licenceKeyEnforced = "licence_key_enforced"
        case activeSessions = "active_sessions"
        case bytesRelayed = "bytes_relayed"
        case outsideContacts = "outside_contacts"
    }

    public init(port: Int, licenceKeyEnforced: Bool, activeSessions: Int, waiting: Int, bytesRelayed: Int64,
                counters: RelayCounters, usage: [RelaySessionUsage]) {
        self.port = port
        self.licenceKeyEnforced = licenceKeyEnforced
        self.activeSessions = activeSessions
        self.waiting = waiting
        self.bytesRelayed = bytesRelayed
        self.counters = counters
        self.usage = usage
    }
}

/// What the relay refused, timed out and carried since it started.
public struct RelayCounters: Codable, Sendable, Equatable {
    public var paired = 0
    public var refusedKey = 0
    public var refusedBlocklist = 0
    public var refusedMalformed = 0
    public var refusedTooManyWaiting = 0
    /// Refused at accept: the source already had `maximumConnectionsPerSource` open.
    public var refusedPerSource = 0
    /// A WebSocket message over the size allowed at its stage, or over the relay-wide budget.
    public var refusedOversized = 0
    /// No upgrade and first message (WebSocket) within the handshake deadline.
    public var handshakeTimeouts = 0
    public var unpairedTimeouts = 0
    public var idleClosed = 0
    public var bytesRelayed: Int64 = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case paired
        case refusedKey = "refused_key"
        case refusedBlocklist = "refused_blocklist"
        case refusedMalformed = "refused_malformed"
        case refusedTooManyWaiting = "refused_too_many_waiting"
        case refusedPerSource = "refused_per_source"
        case refusedOversized = "refused_oversized"
        case handshakeTimeouts = "handshake_timeouts"
        case unpairedTimeouts = "unpaired_timeouts"
        case idleClosed = "idle_closed"
        case bytesRelayed = "bytes_relayed"
    }
}

/// One running session, as hbbr's `usage` console command lists them.
public struct RelaySessionUsage: Codable, Sendable, Equatable {
    public var peer: String
    public var seconds: Double
    public var bytes: Int64
    public var peakBytesPerSecond: Double
    public var currentBytesPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case peer, seconds, bytes
        case peakBytesPerSecond = "peak_bytes_per_second"
        case currentBytesPerSecond = "current_bytes_per_second"
    }

    public init(peer: String, seconds: Double, bytes: Int64, peakBytesPerSecond: Double, currentBytesPerSecond: Double) {
        self.peer = peer
        self.seconds = seconds
        self.bytes = bytes
        self.peakBytesPerSecond = peakBytesPerSecond
        self.currentBytesPerSecond = currentBytesPerSecond
    }
}
