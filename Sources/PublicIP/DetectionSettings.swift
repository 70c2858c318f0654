import InternetAddress

/// Everything the detector and monitor can be told; defaults are the polite ones. The lead maps
/// the config file onto this.
public struct DetectionSettings: Sendable, Equatable {
    public var ipv4Enabled = true
    public var ipv6Enabled = true
    public var httpSourcesIPv4: [HTTPEchoEndpoint] = HTTPEchoEndpoint.defaultIPv4
    public var httpSourcesIPv6: [HTTPEchoEndpoint] = HTTPEchoEndpoint.defaultIPv6
    /// DNS whoami sources (need a `DNSEchoResolver`).
    public var dnsEnabled = true
    /// Global addresses on this host's interfaces as a source.
    public var interfaceSourceEnabled = true
    /// Independent sources that must agree on an address (capped by the sources configured).
    public var requiredAgreement = 2
    /// Echo-service poll interval and its random spread (0.1 = ±10 %).
    public var interval: Duration = .seconds(300)
    public var jitter: Double = 0.1
    /// Router (and interface) poll interval: cheap, local.
    public var routerInterval: Duration = .seconds(30)
    /// Quiet time after a network change before re-checking, so a burst of events is one check.
    public var debounce: Duration = .seconds(1)
    /// Triggered re-checks come no closer than this to the previous detection, so a host whose
    /// routes churn (containers, VPNs) does not turn every event into echo requests.
    public var minimumRecheckSpacing: Duration = .seconds(10)
    public var httpTimeout: Duration = .seconds(3)
    public var dnsTimeout: Duration = .seconds(1)
    public var routerTimeout: Duration = .seconds(1)
    public var httpBodyLimit = 4096
    /// Where the hop probe aims (only the first `hopProbeMaxHops` routers see the datagrams); nil = off.
    public var hopProbeTarget: IPAddress? = IPAddress("1.1.1.1")
    public var hopProbeMaxHops = 3
    public var hopProbeTimeout: Duration = .seconds(1)

    public init() {}

    public func httpSources(_ family: IPFamily) -> [HTTPEchoEndpoint] {
        family == .ipv4 ? httpSourcesIPv4 : httpSourcesIPv6
    }

    public func isEnabled(_ family: IPFamily) -> Bool {
        family == .ipv4 ? ipv4Enabled : ipv6Enabled
    }
}
