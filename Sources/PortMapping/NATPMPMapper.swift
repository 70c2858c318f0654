import Foundation
import Logging

/// NAT-PMP (RFC 6886) for `PortMapper`. Its quirks: a mapping answer does not carry the WAN
/// address, so it is asked for separately (RFC 6886 section 3.2); a mapping is removed by
/// transport and internal port alone (section 3.4), which also works for a mapping whose maker
/// is gone; the epoch in every answer shows when the router lost its mappings (section 3.6).
actor NATPMPMapper: ProtocolMapper {
    nonisolated let mappingProtocol = MappingProtocol.natpmp
    private let configuration: PortMapper.Configuration
    private let logger: Logger
    private var epoch = NATPMPEpochTracker()
    private(set) var epochResets = 0

    init(configuration: PortMapper.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// NAT-PMP keeps nothing about the router's device.
    func forgetRouter() {}

    private func client(_ gateway: GatewayInfo, timeout: Duration) -> NATPMPClient {
        NATPMPClient(gateway: gateway.gateway, localAddress: gateway.localAddress, serverPort: configuration.natpmpPort,
                     timeout: timeout, logger: logger)
    }

    private func note(_ seen: UInt32) {
        if epoch.observe(seen) {
            epochResets += 1
            logger.warning("portmap: natpmp epoch went back to \(seen): the router lost its mappings")
        }
    }

    func probe(_ gateway: GatewayInfo, testMapping: Bool) async -> ProtocolProbeResult {
        var result = ProtocolProbeResult(mappingProtocol: .natpmp)
        let client = client(gateway, timeout: configuration.probeTimeout)
        let start = ContinuousClock.now
        do {
            let response = try await client.publicAddress()
            result.available = true
            result.latencyMilliseconds = ProbeSupport.milliseconds(since: start)
            result.epoch = response.epoch
            result.externalAddress = response.address == .any ? "" : response.address.description
        } catch let error as PortMappingError where error.isRefusal {
            // It answered: NAT-PMP is there, it just will not tell (e.g. 3, network failure, with no WAN address).
            result.available = true
            result.latencyMilliseconds = ProbeSupport.milliseconds(since: start)
            result.error = "\(error)"
        } catch {
            result.error = "\(error)"
            return result
        }
        if testMapping {
            let port = ProbeSupport.testPort()
            do {
                let mapped = try await client.map(proto: .udp, internalPort: port, suggestedExternalPort: port, lifetime: 60)
                result.mapping = .works
                result.epoch = mapped.epoch
            } catch {
                result.mapping = ProbeSupport.outcome(of: error)
            }
            await ProbeSupport.removeTestMapping { try await client.unmap(proto: .udp, internalPort: port) }
        }
        if let seen = result.epoch { note(seen) }
        return result
    }

    func map(_ request: MappingRequest, suggestedExternalPort: UInt16, previous: PortMappingLease?,
             on gateway: GatewayInfo) async throws -> PortMappingLease {
        let client = client(gateway, timeout: configuration.requestTimeout)
        let response = try await client.map(proto: request.proto, internalPort: request.internalPort,
                                            suggestedExternalPort: suggestedExternalPort, lifetime: request.lifetime)
        note(response.epoch)
        let external = try? await client.publicAddress().address
        return PortMappingLease(proto: request.proto, internalAddress: gateway.localAddress, internalPort: request.internalPort,
                                externalAddress: external == .any ? nil : external, externalPort: response.externalPort,
                                mappingProtocol: .natpmp, lifetime: response.lifetime,
                                expiry: Date().addingTimeInterval(TimeInterval(response.lifetime)), request: request)
    }

    func unmap(_ lease: PortMappingLease, on gateway: GatewayInfo) async throws {
        try await remove(proto: lease.proto, internalPort: lease.internalPort, on: gateway)
    }

    /// Removes this host's mapping of the internal port, whoever made it (miniupnpd also drops a
    /// PCP-made mapping then).
    func remove(proto: TransportProtocol, internalPort: UInt16, on gateway: GatewayInfo) async throws {
        try await client(gateway, timeout: configuration.requestTimeout).unmap(proto: proto, internalPort: internalPort)
    }
}
