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
    /// How often the daemon makes (and removes) a short test mapping to learn whether the
    /// router refuses mappings, the evidence of carrier-grade NAT; in between, the router is
    /// only asked for its WAN address.
    public var testMappingInterval: Duration = .seconds(600)
    /// The shortest `test_mapping_interval`: each test adds and deletes a mapping on the router.
    public static let shortestTestMappingInterval: Duration = .seconds(30)

    public init() {}

    public static let validKeys = ["enabled", "gateway", "lease", "map_ports", "test_mapping_interval"]
}
