/// Why a router operation failed. Descriptions name the protocol and what was wrong, and never
/// include secrets (routers do not hold any we send).
public enum PortMappingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No default IPv4 gateway was found, or the configured one is not usable.
    case noGateway(String)
    /// Nothing valid arrived before the deadline.
    case timeout(MappingProtocol, String)
    /// The router sent something malformed or hostile; the message says what.
    case malformedResponse(MappingProtocol, String)
    /// NAT-PMP result code (RFC 6886 section 3.5).
    case natpmpResult(code: UInt16)
    /// PCP result code (RFC 6887 section 7.4).
    case pcpResult(code: UInt8)
    /// A UPnP SOAP fault (UPnPError errorCode and errorDescription).
    case upnpFault(code: Int, description: String)
    /// A UPnP HTTP exchange failed (status, size limit, connection).
    case http(String)
    /// The protocol is not offered by this router.
    case unavailable(MappingProtocol, String)
    /// No protocol could make the mapping; each protocol's error in order tried, and the
    /// router codes of those that answered and refused.
    case allProtocolsFailed([String], refusalCodes: [Int])
    case socket(String)

    /// The numeric code a router gave, when it gave one.
    public var routerCode: Int? {
        switch self {
        case .natpmpResult(let code): Int(code)
        case .pcpResult(let code): Int(code)
        case .upnpFault(let code, _): code
        default: nil
        }
    }

    /// The router answered and said no (as opposed to not answering or answering garbage).
    public var isRefusal: Bool { routerCode != nil }

    /// The router refused: one protocol said no, or every protocol tried failed and at least
    /// one of them answered with a refusal code. A strict router behind carrier-grade NAT
    /// answers all three (PCP 8 NO_RESOURCES, NAT-PMP 3 network failure, UPnP 501), which
    /// is a refusal, not a router that "speaks none of them".
    public var refusedByRouter: Bool {
        if case .allProtocolsFailed(_, let codes) = self { return !codes.isEmpty }
        return isRefusal
    }

    public var description: String {
        switch self {
        case .noGateway(let why): "no default IPv4 gateway: \(why)"
        case .timeout(let p, let what): "\(p.rawValue): no answer from the router (\(what))"
        case .malformedResponse(let p, let what): "\(p.rawValue): malformed answer from the router: \(what)"
        case .natpmpResult(let code): "natpmp: router refused with result \(code) (\(NATPMPResultCode.name(code)))"
        case .pcpResult(let code): "pcp: router refused with result \(code) (\(PCPResultCode.name(code)))"
        case .upnpFault(let code, let text): "upnp: router refused with error \(code) (\(text.isEmpty ? UPnPErrorCode.name(code) : text))"
        case .http(let what): "upnp: \(what)"
        case .unavailable(let p, let why): "\(p.rawValue): not available: \(why)"
        case .allProtocolsFailed(let list, _): "no router protocol made the mapping: " + list.joined(separator: "; ")
        case .socket(let what): "socket: \(what)"
        }
    }
}

extension PortMappingError {
    /// The name a router's refusal code has in its own protocol (PCP 8 is NO_RESOURCES, NAT-PMP 3
    /// is "network failure", UPnP 501 is ActionFailed): the three protocols' codes overlap, so a
    /// code means nothing without its protocol.
    public static func refusalName(code: Int, mappingProtocol: MappingProtocol) -> String {
        switch mappingProtocol {
        case .pcp: UInt8(exactly: code).map(PCPResultCode.name) ?? "unknown result code"
        case .natpmp: UInt16(exactly: code).map(NATPMPResultCode.name) ?? "unknown result code"
        case .upnp: UPnPErrorCode.name(code)
        }
    }
}

enum NATPMPResultCode {
    static func name(_ code: UInt16) -> String {
        switch code {
        case 0: "success"
        case 1: "unsupported version"
        case 2: "not authorized/refused"
        case 3: "network failure"
        case 4: "out of resources"
        case 5: "unsupported opcode"
        default: "unknown result code"
        }
    }
}

enum PCPResultCode {
    static let success: UInt8 = 0
    static let unsupportedVersion: UInt8 = 1
    static let noResources: UInt8 = 8

    static func name(_ code: UInt8) -> String {
        switch code {
        case 0: "SUCCESS"
        case 1: "UNSUPP_VERSION"
        case 2: "NOT_AUTHORIZED"
        case 3: "MALFORMED_REQUEST"
        case 4: "UNSUPP_OPCODE"
        case 5: "UNSUPP_OPTION"
        case 6: "MALFORMED_OPTION"
        case 7: "NETWORK_FAILURE"
        case 8: "NO_RESOURCES"
        case 9: "UNSUPP_PROTOCOL"
        case 10: "USER_EX_QUOTA"
        case 11: "CANNOT_PROVIDE_EXTERNAL"
        case 12: "ADDRESS_MISMATCH"
        case 13: "EXCESSIVE_REMOTE_PEERS"
        default: "unknown result code"
        }
    }
}

enum UPnPErrorCode {
    static let actionFailed = 501
    static let specifiedArrayIndexInvalid = 713
    static let conflictInMappingEntry = 718
    static let onlyPermanentLeasesSupported = 725

    static func name(_ code: Int) -> String {
        switch code {
        case 401: "InvalidAction"
        case 402: "InvalidArgs"
        case 501: "ActionFailed"
        case 606: "Action not authorized"
        case 713: "SpecifiedArrayIndexInvalid"
        case 714: "NoSuchEntryInArray"
        case 715: "WildCardNotPermittedInSrcIP"
        case 716: "WildCardNotPermittedInExtPort"
        case 718: "ConflictInMappingEntry"
        case 724: "SamePortValuesRequired"
        case 725: "OnlyPermanentLeasesSupported"
        case 726: "RemoteHostOnlySupportsWildcard"
        case 727: "ExternalPortOnlySupportsWildcard"
        case 728: "NoPortMapsAvailable"
        case 729: "ConflictWithOtherMechanisms"
        default: "unknown error"
        }
    }
}
