/// Everything `homeport relay` can be told, with rustdesk-server's (hbbr) meanings.
public struct RelaySettings: Sendable {
    /// TCP port R (and R+2 for WebSocket).
    public var port = 21117
    public var bind: String?
    /// The licence key clients must send in RequestRelay; nil or "" = anyone may relay.
    public var licenceKey: String?
    /// Megabits per second (×1 048 576 bit/s), as hbbr counts them.
    public var singleBandwidth: Double = 128
    public var totalBandwidth: Double = 1024
    public var limitSpeed: Double = 32
    public var downgradeThreshold: Double = 0.66
    /// Seconds of session activity before the downgrade check starts.
    public var downgradeStartCheck: Double = 1800
    /// IPs refused at accept (blocklist.txt) and throttled to `limitSpeed` (blacklist.txt).
    public var blocklist: Set<String> = []
    public var blacklist: Set<String> = []
    /// Waiting for the first message, and for the partner.
    public var handshakeTimeout: Duration = .seconds(30)
    /// A paired session with no traffic for longer than this ends (checked every 3 s).
    public var idleTimeout: Duration = .seconds(30)
    /// Unpaired connections allowed per source IP at once: the relay must not become a
    /// parking lot for sockets.
    public var maximumWaitingPerIP = 32
    /// Open connections (TCP R and WebSocket R+2 together) allowed per source: an IPv4
    /// address, or the /64 of an IPv6 one. A household or office behind one NAT shares one
    /// address, so this is far above what one needs (each relayed session is one connection
    /// per side), yet keeps one host from taking every descriptor (the default limit is 1024).
    public var maximumConnectionsPerSource = 128
    /// Bytes the relay may hold in messages still being received when a WebSocket is
    /// involved (a WebSocket message, or a TCP frame that becomes one), all connections
    /// together: clients that start big messages and never end them cannot hold more than
    /// this; the connection that would go over is closed instead.
    public var partialMessageBudget = 64 << 20
    /// Unix socket for admin commands and status; nil = none.
    public var adminSocket: String?

    public init() {}

    static let megabit = 1_048_576.0

    /// Valid ranges, shared by the command line and the admin socket. Below 0.1 Mb/s
    /// (13 KB/s) no remote session is usable, and the token buckets would ask for pauses of
    /// hours per read.
    public static let bandwidthRange = 0.1...1_000_000.0
    public static let downgradeThresholdRange = 0.01...10.0
    /// Seconds; up to a year.
    public static let downgradeStartCheckRange = 0.0...31_536_000.0
    /// The relay also uses port + 2 (WebSocket).
    public static let portRange = 1...65533
    /// hbbr's PORT is the ID server's port; the relay takes PORT + 1.
    public static let basePortRange = 1...65532

    /// An hbbr address-list file: one IP per line, the text before the first space.
    public static func parseAddressList(_ text: String) -> Set<String> {
        Set(text.split(whereSeparator: \.isNewline).compactMap { line in
            let first = line.split(separator: " ", maxSplits: 1).first.map { $0.filter { !$0.isWhitespace } } ?? ""
            return first.isEmpty || first.hasPrefix("#") ? nil : String(first)
        })
    }
}
