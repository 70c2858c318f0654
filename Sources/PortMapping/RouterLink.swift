import Logging

/// How the per-protocol mappers reach the router: the `PortMapper`'s ports, timeouts and logger,
/// and each protocol's client toward a gateway (built per request, as the gateway may change).
struct RouterLink: Sendable {
    let configuration: PortMapper.Configuration
    let logger: Logger

    func pcp(_ gateway: GatewayInfo, timeout: Duration) -> PCPClient {
        PCPClient(gateway: gateway.gateway, localAddress: gateway.localAddress, serverPort: configuration.natpmpPort,
                  timeout: timeout, logger: logger)
    }

    func natpmp(_ gateway: GatewayInfo, timeout: Duration) -> NATPMPClient {
        NATPMPClient(gateway: gateway.gateway, localAddress: gateway.localAddress, serverPort: configuration.natpmpPort,
                     timeout: timeout, logger: logger)
    }

    func upnp(_ gateway: GatewayInfo, timeout: Duration) -> UPnPClient {
        UPnPClient(gateway: gateway.gateway, localAddress: gateway.localAddress, ssdpPort: configuration.ssdpPort,
                   discoveryTimeout: timeout, httpTimeout: timeout * 2, logger: logger)
    }
}

/// A NAT-PMP or PCP router's epoch as one protocol sees it: an epoch that went back means the
/// router lost every mapping (RFC 6886 section 3.6, RFC 6887 section 8.5); each is counted and
/// logged.
struct RouterEpochWatch: Sendable {
    let mappingProtocol: MappingProtocol
    private var tracker = NATPMPEpochTracker()
    private(set) var resets = 0

    init(_ mappingProtocol: MappingProtocol) {
        self.mappingProtocol = mappingProtocol
    }

    mutating func observe(_ epoch: UInt32, logger: Logger) {
        guard tracker.observe(epoch) else { return }
        resets += 1
        logger.warning("portmap: \(mappingProtocol.rawValue) epoch went back to \(epoch): the router lost its mappings")
    }
}
