/// `[router]`: talking to the home router over UPnP IGD, NAT-PMP and PCP.
public struct RouterSettings: Sendable, Equatable {
    /// Whether the router is asked at all (WAN address, mapping support).
    public var enabled = true
    /// Whether the daemon maps the enabled built-in servers' ports on the router.
    public var mapPorts = false
    /// The gateway's address, when the default route does not lead to the router.
    public var gateway: String?
    /// Lease asked for each mapping; renewed at half-time.
    public var lease: Duration = .seconds(3600)

    public init() {}

    public static let validKeys = ["enabled", "gateway", "lease", "map_ports"]
}
