import InternetAddress
import Logging

/// Talks NAT-PMP (RFC 6886) to the gateway on UDP 5351.
public struct NATPMPClient: Sendable {
    public var gateway: IPAddress
    public var localAddress: IPAddress
    public var serverPort: Int
    /// Total wait per request including retransmissions. RFC 6886 allows ~64 s; a probe should
    /// give up much sooner, so the caller decides.
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

    public func publicAddress() async throws -> NATPMPMessage.PublicAddressResponse {
        try await udpExchange(protocol: .natpmp, what: "public address request", request: NATPMPMessage.publicAddressRequest(),
                              gateway: gateway, serverPort: serverPort, localAddress: localAddress,
                              totalTimeout: timeout, logger: logger) { try NATPMPMessage.decodePublicAddressResponse($0) }
    }

    public func map(proto: TransportProtocol, internalPort: UInt16, suggestedExternalPort: UInt16, lifetime: UInt32) async throws -> NATPMPMessage.MapResponse {
        let request = NATPMPMessage.mapRequest(proto: proto, internalPort: internalPort,
                                               suggestedExternalPort: suggestedExternalPort, lifetime: lifetime)
        let response = try await udpExchange(protocol: .natpmp, what: "mapping request", request: request,
                                             gateway: gateway, serverPort: serverPort, localAddress: localAddress,
                                             totalTimeout: timeout, logger: logger) { data in
            let decoded = try NATPMPMessage.decodeMapResponse(data, proto: proto)
            guard decoded.internalPort == internalPort else {
                throw PortMappingError.malformedResponse(.natpmp, "answer is for internal port \(decoded.internalPort), asked for \(internalPort)")
            }
            return decoded
        }
        if lifetime > 0, response.externalPort == 0 || response.lifetime == 0 {
            throw PortMappingError.malformedResponse(.natpmp, "success with external port \(response.externalPort) and lifetime \(response.lifetime)")
        }
        return response
    }

    /// Section 3.4: lifetime 0 and external port 0 remove the mapping for this internal port.
    public func unmap(proto: TransportProtocol, internalPort: UInt16) async throws {
        _ = try await udpExchange(protocol: .natpmp, what: "mapping removal",
                                  request: NATPMPMessage.mapRequest(proto: proto, internalPort: internalPort, suggestedExternalPort: 0, lifetime: 0),
                                  gateway: gateway, serverPort: serverPort, localAddress: localAddress,
                                  totalTimeout: timeout, logger: logger) { try NATPMPMessage.decodeMapResponse($0, proto: proto) }
    }
}
