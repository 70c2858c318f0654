import Foundation
import Logging

/// PCP (RFC 6887) for `PortMapper`. Its quirks: a mapping is named by a nonce that must be sent
/// again to renew or delete it (RFC 6887 section 11.1), so the nonces are kept here; a router
/// that answers UNSUPP_VERSION speaks NAT-PMP only and is not asked in PCP again until the
/// router is forgotten or probed again; the epoch in every answer shows when the router lost
/// its mappings (RFC 6887 section 8.5).
actor PCPMapper: ProtocolMapper {
    nonisolated let mappingProtocol = MappingProtocol.pcp
    private let configuration: PortMapper.Configuration
    private let logger: Logger
    private var epoch = NATPMPEpochTracker()
    private(set) var epochResets = 0
    private var nonces: [String: PCPMessage.Nonce] = [:]
    /// The router answered UNSUPP_VERSION: it speaks NAT-PMP, not PCP.
    private var speaksOnlyNATPMP = false

    init(configuration: PortMapper.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    func forgetRouter() {
        speaksOnlyNATPMP = false
    }

    private func client(_ gateway: GatewayInfo, timeout: Duration) -> PCPClient {
        PCPClient(gateway: gateway.gateway, localAddress: gateway.localAddress, serverPort: configuration.natpmpPort,
                  timeout: timeout, logger: logger)
    }

    private func note(_ seen: UInt32) {
        if epoch.observe(seen) {
            epochResets += 1
            logger.warning("portmap: pcp epoch went back to \(seen): the router lost its mappings")
        }
    }

    func probe(_ gateway: GatewayInfo, testMapping: Bool) async -> ProtocolProbeResult {
        var result = ProtocolProbeResult(mappingProtocol: .pcp)
        let client = client(gateway, timeout: configuration.probeTimeout)
        let start = ContinuousClock.now
        do {
            let header = try await client.announce()
            speaksOnlyNATPMP = false
            result.available = true
            result.latencyMilliseconds = ProbeSupport.milliseconds(since: start)
            result.epoch = header.epoch
        } catch PortMappingError.pcpResult(let code) where code == PCPResultCode.unsupportedVersion {
            speaksOnlyNATPMP = true
            result.error = "router speaks NAT-PMP only (PCP UNSUPP_VERSION)"
            return result
        } catch let error as PortMappingError where error.isRefusal {
            result.available = true
            result.latencyMilliseconds = ProbeSupport.milliseconds(since: start)
            result.error = "\(error)"
        } catch {
            result.error = "\(error)"
            return result
        }
        if testMapping {
            let port = ProbeSupport.testPort()
            let nonce = PCPMessage.randomNonce()
            do {
                let mapped = try await client.map(nonce: nonce, proto: .udp, internalPort: port, suggestedExternalPort: port, lifetime: 60)
                result.mapping = .works
                result.epoch = mapped.header.epoch
                result.externalAddress = mapped.externalAddress.map { $0 == .any ? "" : $0.description } ?? ""
            } catch {
                result.mapping = ProbeSupport.outcome(of: error)
            }
            await ProbeSupport.removeTestMapping { try await client.delete(nonce: nonce, proto: .udp, internalPort: port) }
        }
        if let seen = result.epoch { note(seen) }
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
            response = try await client(gateway, timeout: configuration.requestTimeout)
                .map(nonce: nonce, proto: request.proto, internalPort: request.internalPort, suggestedExternalPort: suggestedExternalPort,
                     suggestedExternalAddress: previous?.externalAddress, lifetime: request.lifetime)
        } catch PortMappingError.pcpResult(let code) where code == PCPResultCode.unsupportedVersion {
            // A NAT-PMP-only router: do not ask in PCP again until the next probe.
            speaksOnlyNATPMP = true
            throw PortMappingError.pcpResult(code: code)
        }
        note(response.header.epoch)
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
        try await client(gateway, timeout: configuration.requestTimeout).delete(nonce: nonce, proto: lease.proto, internalPort: lease.internalPort)
        nonces[key] = nil
    }
}
