import Foundation
import InternetAddress
import Logging

/// NAT-PMP (RFC 6886) for `PortMapper`. Its quirks: a mapping answer does not carry the WAN
/// address, so it is asked for separately (RFC 6886 section 3.2); a mapping is removed by
/// transport and internal port alone (section 3.4), which also works for a mapping whose maker
/// is gone; the epoch in every answer shows when the router lost its mappings (section 3.6).
actor NATPMPMapper: ProtocolMapper {
    nonisolated let mappingProtocol = MappingProtocol.natpmp
    private let link: RouterLink
    private var epoch = RouterEpochWatch(.natpmp)
    var epochResets: Int { epoch.resets }

    init(_ link: RouterLink) {
        self.link = link
    }

    /// NAT-PMP keeps nothing about the router's device.
    func forgetRouter() {}

    func probe(_ gateway: GatewayInfo, testMapping: Bool) async -> ProtocolProbeResult {
        var result = ProtocolProbeResult(mappingProtocol: .natpmp)
        let client = link.natpmp(gateway, timeout: link.configuration.probeTimeout)
        // A refusal still counts as an answer: e.g. 3 (network failure) with no WAN address.
        let answer = await ProbeSupport.firstAnswer(into: &result) { try await client.publicAddress() }
        guard result.available else { return result }
        if let answer {
            result.epoch = answer.epoch
            result.externalAddress = RouterWANAddress(answer.address)
        }
        if testMapping {
            let grant = await ProbeSupport.testMapping(into: &result) { port in
                try await client.map(proto: .udp, internalPort: port, suggestedExternalPort: port, lifetime: 60)
            } unmap: { port in
                try await client.unmap(proto: .udp, internalPort: port)
            }
            if let grant { result.epoch = grant.epoch }
        }
        if let seen = result.epoch { epoch.observe(seen, logger: link.logger) }
        return result
    }

    func map(_ request: MappingRequest, suggestedExternalPort: UInt16, previous: PortMappingLease?,
             on gateway: GatewayInfo) async throws -> PortMappingLease {
        let client = link.natpmp(gateway, timeout: link.configuration.requestTimeout)
        let response = try await client.map(proto: request.proto, internalPort: request.internalPort,
                                            suggestedExternalPort: suggestedExternalPort, lifetime: request.lifetime)
        epoch.observe(response.epoch, logger: link.logger)
        let external = try? await client.publicAddress().address
        return PortMappingLease(proto: request.proto, internalAddress: gateway.localAddress, internalPort: request.internalPort,
                                externalAddress: external == .ipv4Unspecified ? nil : external, externalPort: response.externalPort,
                                mappingProtocol: .natpmp, lifetime: response.lifetime,
                                expiry: Date().addingTimeInterval(TimeInterval(response.lifetime)), request: request)
    }

    func unmap(_ lease: PortMappingLease, on gateway: GatewayInfo) async throws {
        try await remove(proto: lease.proto, internalPort: lease.internalPort, on: gateway)
    }

    /// Removes this host's mapping of the internal port, whoever made it (miniupnpd also drops a
    /// PCP-made mapping then).
    func remove(proto: TransportProtocol, internalPort: UInt16, on gateway: GatewayInfo) async throws {
        try await link.natpmp(gateway, timeout: link.configuration.requestTimeout).unmap(proto: proto, internalPort: internalPort)
    }
}
