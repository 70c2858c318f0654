import InternetAddress
import Logging

/// Talks PCP (RFC 6887) to the gateway on UDP 5351: ANNOUNCE to probe, MAP to map and delete.
public struct PCPClient: Sendable {
    public var gateway: IPAddress
    public var localAddress: IPAddress
    public var serverPort: Int
    public var timeout: Duration
    var logger: Logger

    public init(gateway: IPAddress, localAddress: IPAddress, serverPort: Int = NATPMPMessage.serverPort,
                timeout: Duration = .milliseconds(1500), logger: Logger) {
        self.gateway = gateway
        self.localAddress = localAddress
        self.serverPort = serverPort
        self.timeout = timeout
        self.logger = logger
    }

    /// An ANNOUNCE round trip: proves a PCP server is there. Throws `pcpResult(1)` when only
    /// NAT-PMP is spoken.
    public func announce() async throws -> PCPMessage.ResponseHeader {
        try await udpExchange(protocol: .pcp, what: "ANNOUNCE", request: PCPMessage.announceRequest(client: localAddress),
                              gateway: gateway, serverPort: serverPort, localAddress: localAddress,
                              totalTimeout: timeout, logger: logger) { try PCPMessage.decodeAnnounceResponse($0) }
    }

    public func map(nonce: PCPMessage.Nonce, proto: TransportProtocol, internalPort: UInt16, suggestedExternalPort: UInt16,
                    suggestedExternalAddress: IPAddress? = nil, lifetime: UInt32) async throws -> PCPMessage.MapResponse {
        let request = PCPMessage.mapRequest(nonce: nonce, proto: proto, internalPort: internalPort,
                                            suggestedExternalPort: suggestedExternalPort,
                                            suggestedExternalAddress: suggestedExternalAddress, lifetime: lifetime, client: localAddress)
        let response = try await udpExchange(protocol: .pcp, what: "MAP", request: request,
                                             gateway: gateway, serverPort: serverPort, localAddress: localAddress,
                                             totalTimeout: timeout, logger: logger) { data in
            let decoded = try PCPMessage.decodeMapResponse(data, expectedNonce: nonce)
            guard decoded.proto == proto.ianaNumber, decoded.internalPort == internalPort else {
                throw PortMappingError.malformedResponse(.pcp, "MAP answer is for protocol \(decoded.proto) port \(decoded.internalPort), asked for \(proto.ianaNumber) port \(internalPort)")
            }
            return decoded
        }
        if lifetime > 0, response.externalPort == 0 || response.header.lifetime == 0 {
            throw PortMappingError.malformedResponse(.pcp, "success with external port \(response.externalPort) and lifetime \(response.header.lifetime)")
        }
        return response
    }

    /// Section 15: a MAP with the same nonce and lifetime 0 deletes it.
    public func delete(nonce: PCPMessage.Nonce, proto: TransportProtocol, internalPort: UInt16) async throws {
        _ = try await map(nonce: nonce, proto: proto, internalPort: internalPort, suggestedExternalPort: 0, lifetime: 0)
    }
}
