/// `[ip]`: public address detection.
public struct IPSettings: Sendable, Equatable {
    public var enabled = true
    /// How often internet echo services are asked.
    public var interval: Duration = .seconds(300)
    /// How often the router (cheap, on the LAN) is asked for its WAN address.
    public var routerInterval: Duration = .seconds(30)
    public var ipv4 = true
    public var ipv6 = true
    /// HTTP(S) echo services per family; nil keeps the built-in list.
    public var httpIPv4: [String]?
    public var httpIPv6: [String]?
    /// Whether the DNS echoes (OpenDNS, Cloudflare) are asked.
    public var dns = true
    /// How many independent sources must agree before an address is accepted; nil = 2, or 1
    /// when a family has only one source.
    public var agreement: Int?
    /// Timeout for one internet source.
    public var timeout: Duration = .seconds(3)

    public init() {}

    public static let validKeys = [
        "agreement", "dns", "enabled", "http_ipv4", "http_ipv6", "interval", "ipv4", "ipv6", "router_interval", "timeout",
    ]
}
