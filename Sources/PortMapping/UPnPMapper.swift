import Foundation
import InternetAddress
import Logging

/// UPnP IGD for `PortMapper`. Its quirks: the router's control URL is found by SSDP and a
/// description fetch, so the device is kept until the router is forgotten; a mapping is named
/// by its external port, and a port another host holds (error 718, ConflictInMappingEntry) is
/// retried once on a random high port when any port will do; a lease of 0 is permanent; unlike
/// NAT-PMP and PCP it can list the router's table.
actor UPnPMapper: ProtocolMapper {
    nonisolated let mappingProtocol = MappingProtocol.upnp
    private let link: RouterLink
    private var device: UPnPDevice?
    /// UPnP has no epoch; a router that restarted is noticed by a failed renewal.
    let epochResets = 0

    init(_ link: RouterLink) {
        self.link = link
    }

    func forgetRouter() {
        device = nil
    }

    /// The client for requests and the device, found again when not known.
    private func connection(_ gateway: GatewayInfo) async throws -> (UPnPClient, UPnPDevice) {
        let client = link.upnp(gateway, timeout: link.configuration.requestTimeout)
        if let device { return (client, device) }
        let found = try await client.discover()
        device = found
        return (client, found)
    }

    func probe(_ gateway: GatewayInfo, testMapping: Bool) async -> ProtocolProbeResult {
        var result = ProtocolProbeResult(mappingProtocol: .upnp)
        let client = link.upnp(gateway, timeout: link.configuration.probeTimeout)
        device = await ProbeSupport.firstAnswer(into: &result) { try await client.discover() }
        guard let found = device else { return result }
        result.upnpControlURL = found.controlURL.description
        result.upnpServiceType = found.serviceType
        do {
            result.externalAddress = RouterWANAddress(reported: try await client.externalIPAddress(found))
        } catch {
            result.error = "\(error)"
        }
        result.upnpConnectionStatus = try? await client.statusInfo(found).status
        if testMapping {
            let local = gateway.localAddress, logger = link.logger
            _ = await ProbeSupport.testMapping(into: &result) { port in
                try await client.addPortMapping(found, proto: .udp, externalPort: port, internalPort: port,
                                                internalClient: local, description: "homeport probe", lease: 60)
            } unmap: { port in
                try await client.deletePortMapping(found, proto: .udp, externalPort: port)
            } removalFailed: { error, granted in
                if granted { logger.warning("upnp: could not remove the probe mapping: \(error)") }
            }
        }
        return result
    }

    func map(_ request: MappingRequest, suggestedExternalPort: UInt16, previous: PortMappingLease?,
             on gateway: GatewayInfo) async throws -> PortMappingLease {
        let (client, device) = try await connection(gateway)
        var externalPort = suggestedExternalPort
        let lease: UInt32
        do {
            lease = try await client.addPortMapping(device, proto: request.proto, externalPort: externalPort,
                                                    internalPort: request.internalPort, internalClient: gateway.localAddress,
                                                    description: request.description, lease: request.lifetime)
        } catch PortMappingError.upnpFault(let code, _) where code == UPnPErrorCode.conflictInMappingEntry && request.externalPort == 0 {
            // Another host holds that port and any external port will do: try one random high port.
            externalPort = UInt16.random(in: 32768...60999)
            link.logger.info("portmap: upnp external port \(suggestedExternalPort) is taken (718); trying \(externalPort)")
            lease = try await client.addPortMapping(device, proto: request.proto, externalPort: externalPort,
                                                    internalPort: request.internalPort, internalClient: gateway.localAddress,
                                                    description: request.description, lease: request.lifetime)
        }
        let external = (try? await client.externalIPAddress(device)).flatMap { IPAddress($0, family: .ipv4) }
        return PortMappingLease(proto: request.proto, internalAddress: gateway.localAddress, internalPort: request.internalPort,
                                externalAddress: external, externalPort: externalPort, mappingProtocol: .upnp, lifetime: lease,
                                expiry: lease == 0 ? nil : Date().addingTimeInterval(TimeInterval(lease)), request: request)
    }

    func unmap(_ lease: PortMappingLease, on gateway: GatewayInfo) async throws {
        try await remove(proto: lease.proto, externalPort: lease.externalPort, on: gateway)
    }

    /// Removes the mapping of an external port, whoever made it.
    func remove(proto: TransportProtocol, externalPort: UInt16, on gateway: GatewayInfo) async throws {
        let (client, device) = try await connection(gateway)
        try await client.deletePortMapping(device, proto: proto, externalPort: externalPort)
    }

    /// The router's whole mapping table.
    func list(on gateway: GatewayInfo, limit: Int = 512, deadline: ContinuousClock.Instant? = nil) async throws -> [UPnPMappingEntry] {
        let (client, device) = try await connection(gateway)
        return try await client.listPortMappings(device, limit: limit, deadline: deadline)
    }
}
