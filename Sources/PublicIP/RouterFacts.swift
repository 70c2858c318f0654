import Foundation
import InternetAddress

/// What the home router told us through a port-mapping protocol. The lead fills this from PortMapping.
public struct RouterFacts: Sendable, Equatable, Codable {
    public enum MappingProtocol: String, Sendable, Codable {
        case upnp
        case natpmp
        case pcp
        case none
    }

    /// The router's own idea of its WAN address.
    public enum ExternalAddress: Sendable, Equatable, Codable {
        /// Nothing asked or no protocol answered.
        case unknown
        /// The router answered with an empty address: miniupnpd >= 2.2 does so when its WAN address
        /// is reserved (CGNAT, private, documentation) — evidence of another NAT upstream.
        case empty
        case address(IPAddress)
        /// The router answered something that is not an address (kept for the report).
        case invalid(String)

        /// nil -> unknown, blank -> empty, an address -> address, else invalid.
        public init(reported text: String?) {
            guard let text else { self = .unknown; return }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { self = .empty } else if let address = IPAddress(trimmed) { self = .address(address) } else {
                self = .invalid(String(trimmed.prefix(60)))
            }
        }

        public var address: IPAddress? {
            if case .address(let address) = self { return address }
            return nil
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            self = container.decodeNil() ? .unknown : ExternalAddress(reported: try container.decode(String.self))
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .unknown: try container.encodeNil()
            case .empty: try container.encode("")
            case .address(let address): try container.encode(address.description)
            case .invalid(let text): try container.encode(text)
            }
        }
    }

    /// The router refused a mapping: UPnP error code (501, 718...), PCP result code (8 = NO_RESOURCES)
    /// or NAT-PMP result code (3 = network failure, 4 = out of resources).
    public struct MappingRefusal: Sendable, Equatable, Codable {
        public var mappingProtocol: MappingProtocol
        public var code: Int
        public var detail: String

        public init(mappingProtocol: MappingProtocol, code: Int, detail: String = "") {
            self.mappingProtocol = mappingProtocol
            self.code = code
            self.detail = detail
        }

        /// Refusals that mean "I have no usable public address", as opposed to policy (606, 718).
        public var meansNoPublicAddress: Bool {
            switch mappingProtocol {
            case .upnp: code == 501
            case .pcp: code == 8
            case .natpmp: code == 3 || code == 4
            case .none: false
            }
        }

        enum CodingKeys: String, CodingKey {
            case mappingProtocol = "protocol"
            case code, detail
        }
    }

    public var gateway: IPAddress?
    public var mappingProtocol: MappingProtocol
    public var externalAddress: ExternalAddress
    public var mappingRefused: MappingRefusal?
    /// The protocol over which the router granted a test mapping; nil when none granted one or
    /// none was tried. A grant shows only that the router maps, not that the outside reaches the
    /// mapping: miniupnpd with `ext_perform_stun` behind a carrier NAT whose filtering lets its
    /// STUN test through grants mappings that end at the carrier's NAT (miniupnpd 2.3.1,
    /// upnpstun.c `perform_stun` and miniupnpd.c `update_ext_ip_addr_from_stun`).
    public var mappingGranted: MappingProtocol?

    public init(gateway: IPAddress? = nil, mappingProtocol: MappingProtocol = .none, externalAddress: ExternalAddress = .unknown,
                mappingRefused: MappingRefusal? = nil, mappingGranted: MappingProtocol? = nil) {
        self.gateway = gateway
        self.mappingProtocol = mappingProtocol
        self.externalAddress = externalAddress
        self.mappingRefused = mappingRefused
        self.mappingGranted = mappingGranted
    }

    /// The router refused a test mapping for lack of a usable public address and granted none
    /// over any protocol: it has no public address of its own, whatever address it reports.
    public var refusesForLackOfPublicAddress: Bool {
        mappingGranted == nil && mappingRefused?.meansNoPublicAddress == true
    }

    /// No router answered any protocol.
    public static let silent = RouterFacts()

    enum CodingKeys: String, CodingKey {
        case gateway
        case mappingProtocol = "protocol"
        case externalAddress = "external_address"
        case mappingRefused = "mapping_refused"
        case mappingGranted = "mapping_granted"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(gateway, forKey: .gateway)
        try container.encode(mappingProtocol, forKey: .mappingProtocol)
        try container.encode(externalAddress, forKey: .externalAddress)
        try container.encode(mappingRefused, forKey: .mappingRefused)
        try container.encode(mappingGranted, forKey: .mappingGranted)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        gateway = try container.decodeIfPresent(IPAddress.self, forKey: .gateway)
        mappingProtocol = try container.decode(MappingProtocol.self, forKey: .mappingProtocol)
        externalAddress = try container.decodeIfPresent(ExternalAddress.self, forKey: .externalAddress) ?? .unknown
        mappingRefused = try container.decodeIfPresent(MappingRefusal.self, forKey: .mappingRefused)
        mappingGranted = try container.decodeIfPresent(MappingProtocol.self, forKey: .mappingGranted)
    }
}

/// Whoever can ask the router (the lead wires PortMapping here). Must return quickly; the detector
/// bounds it with its router timeout and treats a timeout as `RouterFacts.silent`.
public protocol RouterFactsProvider: Sendable {
    func routerFacts() async -> RouterFacts
}

/// A closure as a provider.
public struct RouterFactsClosure: RouterFactsProvider {
    let body: @Sendable () async -> RouterFacts
    public init(_ body: @escaping @Sendable () async -> RouterFacts) { self.body = body }
    public func routerFacts() async -> RouterFacts { await body() }
}
