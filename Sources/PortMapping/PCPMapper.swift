import Foundation
import InternetAddress
import Logging

/// PCP (RFC 6887) for `PortMapper`. Its quirks: a mapping is named by a nonce that must be sent
/// again to renew or delete it (RFC 6887 section 11.1), so the nonces are kept here; a router
/// that answers UNSUPP_VERSION speaks NAT-PMP only and is not asked in PCP again until the
/// router is forgotten or probed again; the epoch in every answer shows when the router lost
/// its mappings (RFC 6887 section 8.5).
actor PCPMapper: ProtocolMapper {
    nonisolated let mappingProtocol = MappingProtocol.pcp
    private let link: RouterLink
    private var epoch = RouterEpochWatch(.pcp)
    var epochResets: Int { epoch.resets }
    private var nonces: [String: PCPMessage.Nonce] = [:]
    /// The router answered UNSUPP_VERSION: it speaks NAT-PMP, not PCP.
    private(set) var speaksOnlyNATPMP = false

    init(_ link: RouterLink) {
        self.link = link
    }

    func forgetRouter() {
        speaksOnlyNATPMP = false
    }

    func probe(_ gateway: GatewayInfo, testMapping: Bool) async -> ProtocolProbeResult {
        var result = ProtocolProbeResult(mappingProtocol: .pcp)
        let client = link.pcp(gateway, timeout: link.configuration.probeTimeout)
        var unsupportedVersion = false
        let answer = await ProbeSupport.firstAnswer(into: &result) {
            do {
                return try await client.announce()
            } catch PortMappingError.pcpResult(let code) where code == PCPResultCode.unsupportedVersion {
                // Not a refusal: this router does not speak PCP at all.
                unsupportedVersion = true
                throw PortMappingError.unavailable(.pcp, "router speaks NAT-PMP only (PCP UNSUPP_VERSION)")
            }
        }
        speaksOnlyNATPMP = unsupportedVersion
        guard result.available else { return result }
        result.epoch = answer?.epoch
        if testMapping {
            let nonce = PCPMessage.randomNonce()
            let grant = await ProbeSupport.testMapping(into: &result) { port in
                try await client.map(nonce: nonce, proto: .udp, internalPort: port, suggestedExternalPort: port, lifetime: 60)
            } unmap: { port in
                try await client.delete(nonce: nonce, proto: .udp, internalPort: port)
            }
            if let grant {
                result.epoch = grant.header.epoch
                result.externalAddress = grant.externalAddress.map(RouterWANAddress.init) ?? .empty
            }
        }
        if let seen = result.epoch { epoch.observe(seen, logger: link.logger) }
        return result
    }

    func map(_ request: MappingRequest, suggestedExternalPort: UInt16, previous: PortMappingLease?,
             on gateway: GatewayInfo) async throws -> PortMappingLease {
        if speaksOnlyNATPMP {
            throw PortMappingError.unavailable(.pcp, "router speaks NAT-PMP only (PCP UNSUPP_VERSION)")
        }
        let key = mappingKey(request.proto, request.internalPort)
        let nonce = nonces[key] ?? PCPMessage.randomNonce()
        nonces[key] = nonce
        let response: PCPMessage.MapResponse
        do {
            response = try await link.pcp(gateway, timeout: link.configuration.requestTimeout)
                .map(nonce: nonce, proto: request.proto, internalPort: request.internalPort, suggestedExternalPort: suggestedExternalPort,
                     suggestedExternalAddress: previous?.externalAddress, lifetime: request.lifetime)
        } catch PortMappingError.pcpResult(let code) where code == PCPResultCode.unsupportedVersion {
            // A NAT-PMP-only router: do not ask in PCP again until the next probe.
            speaksOnlyNATPMP = true
            throw PortMappingError.pcpResult(code: code)
        }
        epoch.observe(response.header.epoch, logger: link.logger)
        return PortMappingLease(proto: request.proto, internalAddress: gateway.localAddress, internalPort: request.internalPort,
                                externalAddress: response.externalAddress, externalPort: response.externalPort,
                                mappingProtocol: .pcp, lifetime: response.header.lifetime,
                                expiry: Date().addingTimeInterval(TimeInterval(response.header.lifetime)), request: request,
                                pcpNonce: nonce.hexString)
    }

    /// Deleting needs the nonce the mapping was made with: the lease's (it may come from another
    /// process, e.g. `homeport portmap remove`), else the one kept here.
    func unmap(_ lease: PortMappingLease, on gateway: GatewayInfo) async throws {
        let key = mappingKey(lease.proto, lease.internalPort)
        guard let nonce = lease.pcpNonce.flatMap(bytes(fromHex:)) ?? nonces[key], nonce.count == 12 else {
            throw PortMappingError.unavailable(.pcp, "the lease has no PCP nonce, so it cannot be deleted")
        }
        try await link.pcp(gateway, timeout: link.configuration.requestTimeout).delete(nonce: nonce, proto: lease.proto, internalPort: lease.internalPort)
        nonces[key] = nil
    }
}
