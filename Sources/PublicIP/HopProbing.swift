import InternetAddress

/// Finds the first routers toward a target. `UpstreamHopProbe` is the real one; tests inject others.
public protocol HopProbing: Sendable {
    func probe(toward target: IPAddress, maxHops: Int, timeout: Duration) async -> UpstreamHops
}
