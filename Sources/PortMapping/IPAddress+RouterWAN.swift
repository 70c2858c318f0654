import InternetAddress

extension IPAddress {
    /// A WAN address nobody on the internet can reach: every non-public scope, and also the
    /// documentation ranges, which miniupnpd >= 2.2 counts as reserved (it then reports an empty
    /// external address; see miniupnp's addr_is_reserved.c). A router reporting one of these sits
    /// behind another NAT. (`scope` counts documentation ranges as public for the test lab.)
    public var isReservedForNonPublicUse: Bool { !isPublic || isDocumentation }
}
