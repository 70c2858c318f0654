import Foundation
import InternetAddress

/// The transport a mapping forwards.
public enum TransportProtocol: String, Sendable, Codable, Hashable, CaseIterable {
    case tcp
    case udp

    /// The spelling UPnP uses in NewProtocol.
    var upnpName: String { self == .tcp ? "TCP" : "UDP" }
    /// The IANA protocol number PCP uses.
    var ianaNumber: UInt8 { self == .tcp ? 6 : 17 }
}

/// The router protocol a mapping was made with.
public enum MappingProtocol: String, Sendable, Codable, Hashable, CaseIterable {
    case upnp
    case natpmp
    case pcp
}

/// A port forward this host wants on the router.
public struct MappingRequest: Sendable, Codable, Hashable {
    public var proto: TransportProtocol
    public var internalPort: UInt16
    /// The external port asked for; 0 lets the router choose (for UPnP the internal port is asked for then).
    public var externalPort: UInt16
    /// Requested lease in seconds.
    public var lifetime: UInt32
    /// Shown in the router's mapping list (UPnP only).
    public var description: String

    public init(proto: TransportProtocol, internalPort: UInt16, externalPort: UInt16 = 0,
                lifetime: UInt32 = 7200, description: String = "homeport") {
        self.proto = proto
        self.internalPort = internalPort
        self.externalPort = externalPort
        self.lifetime = lifetime
        self.description = description
    }
}

/// A mapping the router granted.
public struct PortMappingLease: Sendable, Codable, Hashable {
    public var proto: TransportProtocol
    public var internalAddress: IPAddress
    public var internalPort: UInt16
    /// Nil when the router did not say (UPnP with an empty external IP).
    public var externalAddress: IPAddress?
    public var externalPort: UInt16
    public var mappingProtocol: MappingProtocol
    /// Granted lifetime in seconds; 0 is a permanent UPnP lease.
    public var lifetime: UInt32
    /// When the lease runs out; nil for a permanent lease.
    public var expiry: Date?
    /// The request this lease answers, kept so it can be renewed.
    public var request: MappingRequest
    /// PCP nonce (hex) so a renewal or delete is recognised as the same mapping.
    public var pcpNonce: String?

    public init(proto: TransportProtocol, internalAddress: IPAddress, internalPort: UInt16,
                externalAddress: IPAddress?, externalPort: UInt16, mappingProtocol: MappingProtocol,
                lifetime: UInt32, expiry: Date?, request: MappingRequest, pcpNonce: String? = nil) {
        self.proto = proto
        self.internalAddress = internalAddress
        self.internalPort = internalPort
        self.externalAddress = externalAddress
        self.externalPort = externalPort
        self.mappingProtocol = mappingProtocol
        self.lifetime = lifetime
        self.expiry = expiry
        self.request = request
        self.pcpNonce = pcpNonce
    }
}

/// One row of the router's mapping table.
public struct ListedMapping: Sendable, Codable, Hashable {
    public var mappingProtocol: MappingProtocol
    public var proto: TransportProtocol
    public var externalPort: UInt16
    public var internalClient: String
    public var internalPort: UInt16
    public var description: String
    public var enabled: Bool
    /// Remaining (UPnP) or granted (NAT-PMP/PCP) lease in seconds; 0 is permanent.
    public var leaseSeconds: UInt32
    /// Whether this process made it.
    public var ownedByThisProcess: Bool

    public init(mappingProtocol: MappingProtocol, proto: TransportProtocol, externalPort: UInt16,
                internalClient: String, internalPort: UInt16, description: String, enabled: Bool,
                leaseSeconds: UInt32, ownedByThisProcess: Bool) {
        self.mappingProtocol = mappingProtocol
        self.proto = proto
        self.externalPort = externalPort
        self.internalClient = internalClient
        self.internalPort = internalPort
        self.description = description
        self.enabled = enabled
        self.leaseSeconds = leaseSeconds
        self.ownedByThisProcess = ownedByThisProcess
    }
}

/// Whether a test mapping succeeded during a probe. Encodes flat for JSON:
/// `{"status":"refused","code":501,"reason":"..."}`.
public struct MappingOutcome: Sendable, Codable, Hashable {
    public enum Status: String, Sendable, Codable, Hashable {
        /// The router granted and then removed a short test mapping.
        case works
        /// The router answered and refused; `code` is the UPnP error code or NAT-PMP/PCP result code
        /// (-1 when it answered with something unusable).
        case refused
        /// No test was made (protocol unavailable or probing without a test mapping).
        case notTried = "not_tried"
    }

    public var status: Status
    public var code: Int?
    public var reason: String?

    public init(status: Status, code: Int? = nil, reason: String? = nil) {
        self.status = status
        self.code = code
        self.reason = reason
    }

    public static let works = MappingOutcome(status: .works)
    public static let notTried = MappingOutcome(status: .notTried)
    public static func refused(code: Int, reason: String) -> MappingOutcome { MappingOutcome(status: .refused, code: code, reason: reason) }
}

/// What one protocol's probe found.
public struct ProtocolProbeResult: Sendable, Codable, Hashable {
    public var mappingProtocol: MappingProtocol
    /// The router answered this protocol at all.
    public var available: Bool
    /// Time to the first valid answer, in milliseconds.
    public var latencyMilliseconds: Double?
    /// Nil: not reported; otherwise what the router said, read where its answer arrived.
    public var externalAddress: RouterWANAddress?
    public var mapping: MappingOutcome
    /// Why the protocol was unavailable or failed, for people.
    public var error: String?
    /// UPnP only: the control URL and service type found.
    public var upnpControlURL: String?
    public var upnpServiceType: String?
    /// UPnP GetStatusInfo's NewConnectionStatus ("Connected", "Disconnected", ...).
    public var upnpConnectionStatus: String?
    /// NAT-PMP/PCP epoch seconds reported.
    public var epoch: UInt32?

    /// snake_case, as every JSON homeport prints (README "JSON output").
    enum CodingKeys: String, CodingKey {
        case available, mapping, error, epoch
        case mappingProtocol = "protocol"
        case latencyMilliseconds = "latency_ms"
        case externalAddress = "external_address"
        case upnpControlURL = "upnp_control_url"
        case upnpServiceType = "upnp_service_type"
        case upnpConnectionStatus = "upnp_connection_status"
    }

    public init(mappingProtocol: MappingProtocol, available: Bool = false, latencyMilliseconds: Double? = nil,
                externalAddress: RouterWANAddress? = nil, mapping: MappingOutcome = .notTried, error: String? = nil,
                upnpControlURL: String? = nil, upnpServiceType: String? = nil, epoch: UInt32? = nil) {
        self.mappingProtocol = mappingProtocol
        self.available = available
        self.latencyMilliseconds = latencyMilliseconds
        self.externalAddress = externalAddress
        self.mapping = mapping
        self.error = error
        self.upnpControlURL = upnpControlURL
        self.upnpServiceType = upnpServiceType
        self.epoch = epoch
    }
}

/// Overall verdict on port mapping at this router.
public enum MappingCapability: String, Sendable, Codable, Hashable {
    /// At least one protocol granted a test mapping.
    case works
    /// A protocol answered but every test mapping was refused (typical behind CGNAT).
    case refused
    /// No protocol answered (no router support, or it is switched off).
    case unavailable
    /// A protocol answered but no test mapping was made.
    case unknown
}

/// Everything a probe learned about the router.
public struct RouterReport: Sendable, Codable, Hashable {
    public var gateway: IPAddress?
    public var localAddress: IPAddress?
    public var interfaceName: String?
    public var upnp: ProtocolProbeResult
    public var natpmp: ProtocolProbeResult
    public var pcp: ProtocolProbeResult
    /// The first non-empty external address reported (PCP, NAT-PMP, then UPnP order).
    public var bestExternalAddress: IPAddress?
    /// True when a router answered with an empty external address, a reserved one, or refused
    /// every mapping: evidence of CGNAT or double NAT.
    public var behindAnotherNAT: Bool
    public var mapping: MappingCapability
    public var probedAt: Date
    /// Set when the gateway could not be found at all.
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case gateway, upnp, natpmp, pcp, mapping, error
        case localAddress = "local_address"
        case interfaceName = "interface_name"
        case bestExternalAddress = "best_external_address"
        case behindAnotherNAT = "behind_another_nat"
        case probedAt = "probed_at"
    }

    public init(gateway: IPAddress?, localAddress: IPAddress?, interfaceName: String?,
                upnp: ProtocolProbeResult, natpmp: ProtocolProbeResult, pcp: ProtocolProbeResult,
                bestExternalAddress: IPAddress?, behindAnotherNAT: Bool, mapping: MappingCapability,
                probedAt: Date, error: String?) {
        self.gateway = gateway
        self.localAddress = localAddress
        self.interfaceName = interfaceName
        self.upnp = upnp
        self.natpmp = natpmp
        self.pcp = pcp
        self.bestExternalAddress = bestExternalAddress
        self.behindAnotherNAT = behindAnotherNAT
        self.mapping = mapping
        self.probedAt = probedAt
        self.error = error
    }

    public var results: [ProtocolProbeResult] { [pcp, natpmp, upnp] }
}
