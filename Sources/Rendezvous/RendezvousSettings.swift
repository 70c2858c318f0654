/// Everything `homeport rendezvous` can be told, with rustdesk-server's (hbbs) meanings.
public struct RendezvousSettings: Sendable {
    /// Base port P: UDP+TCP P, TCP P-1 (NAT test, online), TCP P+2 (WebSocket).
    public var port = 21116
    /// Local IP literal for every socket; nil = all interfaces, dual stack.
    public var bind: String?
    public var relayServers: [String] = []
    public var alwaysUseRelay = false
    /// The deprecated ConfigUpdate mechanism: clients whose serial is lower are told
    /// `rendezvousServers`. Changed at run time only through the admin socket.
    public var serial: Int32 = 0
    public var rendezvousServers: [String] = []
    /// Deprecated LAN mask (docs/rustdesk-protocol.md#forced-relay-and-lan-mask) and the relay address handed to LAN peers.
    public var mask: IPv4Mask?
    public var localIP: String?
    /// UDP receive buffer in bytes, 0 = OS default.
    public var receiveBuffer = 0
    /// `-k`: "-" or "_" (load or create the key pair), "" (no licence check, still sign), a
    /// base64 64-byte secret key, or a key string to enforce verbatim.
    public var key = "-"
    /// Where `id_ed25519` lives.
    public var keyDirectory: String
    /// The `peer` database (`db_v2.sqlite3` schema).
    public var databasePath: String
    /// Unix socket for admin commands and status; nil = none.
    public var adminSocket: String?
    /// A TCP or WebSocket connection silent this long is closed (spec: 30 s).
    public var idleTimeout: Duration = .seconds(30)
    /// A deadline, not a silence timeout: each frame on TCP P and P-1 must arrive whole
    /// within this from its first byte, and a WebSocket connection on P+2 must finish its
    /// upgrade and deliver its first message within this from accept. Otherwise a client
    /// sending a byte now and then holds the connection forever.
    public var frameTimeout: Duration = .seconds(30)
    /// Open connections on TCP P, P-1 and P+2 together allowed per source (an IPv4 address,
    /// or the /64 of an IPv6 one): far above what a household or office behind one NAT
    /// opens, low enough that one host cannot take every descriptor.
    public var maximumConnectionsPerSource = 128
    /// New ids the whole server accepts per minute, whatever their sources; beyond it
    /// RegisterPk for an unknown id is answered TOO_FREQUENT. The per-source limits cannot
    /// stop a flood from many addresses (an IPv6 /48 holds 65 536 /64s).
    public var newIDsPerMinute = 300
    /// Days after which an id homeport created but that never came back is deleted from the
    /// database (and memory); 0 keeps them. See `UnconfirmedPeers` for the rule.
    public var unconfirmedIDDays = 7

    /// Valid ranges, shared by the command line and the admin socket.
    public static let portRange = 3...65533
    public static let serialRange: ClosedRange<Int32> = 0...Int32.max
    /// SO_RCVBUF takes a C int.
    public static let receiveBufferRange = 0...Int(Int32.max)
    public static let newIDsPerMinuteRange = 1...100_000
    public static let unconfirmedIDDaysRange = 0...3650

    public init(keyDirectory: String, databasePath: String) {
        self.keyDirectory = keyDirectory
        self.databasePath = databasePath
    }

    var natTestPort: Int { port - 1 }
    var webSocketPort: Int { port + 2 }
}

/// An IPv4 network such as 192.168.0.0/16.
public struct IPv4Mask: Sendable, Equatable {
    public let network: UInt32
    public let prefix: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let prefix = Int(parts[1]), (0...32).contains(prefix),
              let network = IPv4Mask.parse(String(parts[0])) else { return nil }
        self.prefix = prefix
        self.network = network & IPv4Mask.bits(prefix)
    }

    public func contains(_ address: UInt32) -> Bool {
        address & Self.bits(prefix) == network
    }

    static func bits(_ prefix: Int) -> UInt32 {
        prefix == 0 ? 0 : UInt32.max << UInt32(32 - prefix)
    }

    /// "a.b.c.d" → a<<24 | b<<16 | c<<8 | d.
    static func parse(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false).map { UInt32($0) }
        guard octets.count == 4, octets.allSatisfy({ ($0 ?? 256) < 256 }) else { return nil }
        return octets.reduce(0) { $0 << 8 | ($1 ?? 0) }
    }
}

extension RendezvousSettings {
    /// A comma-separated server list as hbbs reads it (`-r`, RELAY-SERVERS, `-R`).
    public static func parseList(_ text: String) -> [String] {
        RelayServerList.parse(text)
    }
}
