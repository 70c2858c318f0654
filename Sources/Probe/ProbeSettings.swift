/// How `homeport probe serve` (or the daemon's `[probe]`) runs the probe.
public struct ProbeSettings: Sendable, Equatable {
    /// The default port: the first after RustDesk's 21115–21119, so one firewall range covers all.
    public static let defaultPort = 21120
    /// At most this many ports per request: enough for every RustDesk port and a few services,
    /// too few to make the probe a port scanner.
    public static let maximumPorts = 16

    public var listen: ProbeListenAddress
    /// The shared secret a request must carry as `Authorization: Bearer <token>`; nil: none needed.
    public var token: String?
    /// How long one port's check may take.
    public var portTimeout: Duration
    /// Requests one client (an IPv4 address, an IPv6 /64) may make per minute.
    public var requestsPerMinute: Int
    /// Requests being checked at once, from all clients; more get 503.
    public var maximumConcurrentRequests: Int
    /// From a request's first byte to its answer: a client that sends its request slower than
    /// this (slowloris) is disconnected. Must leave room for `portTimeout`.
    public var requestDeadline: Duration
    /// A connection that sends nothing for this long is closed.
    public var idleTimeout: Duration
    /// The largest request body; a request for 16 ports is well under 1 KiB.
    public var maximumBodyBytes: Int

    public init(listen: ProbeListenAddress = ProbeListenAddress(host: "::", port: ProbeSettings.defaultPort),
                token: String? = nil,
                portTimeout: Duration = .seconds(3),
                requestsPerMinute: Int = 6,
                maximumConcurrentRequests: Int = 16,
                requestDeadline: Duration = .seconds(10),
                idleTimeout: Duration = .seconds(10),
                maximumBodyBytes: Int = 16 * 1024) {
        self.listen = listen
        self.token = token
        self.portTimeout = portTimeout
        self.requestsPerMinute = requestsPerMinute
        self.maximumConcurrentRequests = maximumConcurrentRequests
        self.requestDeadline = requestDeadline
        self.idleTimeout = idleTimeout
        self.maximumBodyBytes = maximumBodyBytes
    }
}
