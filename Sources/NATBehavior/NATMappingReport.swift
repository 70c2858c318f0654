import InternetAddress

/// What one STUN server said about the probe's local UDP port.
public struct STUNMapping: Sendable, Equatable {
    /// Where the server saw the request come from.
    public var mapped: TransportEndpoint
    /// The probe's own address and port the answer arrived at (nil if the system did not say).
    public var local: TransportEndpoint?
    public var attribute: STUNResponse.MappedAttribute
    /// From the first request to the answer.
    public var roundTrip: Duration
    public var requestsSent: Int
    public var software: String?
}

/// Why a server gave no mapping.
public enum STUNFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case resolutionFailed(String)
    case resolutionTimedOut(Duration)
    case noAddress(IPFamily)
    /// An IP literal of the other family than the probe's socket.
    case wrongFamily(IPFamily)
    /// Resolves to the same address and port as an earlier server: one destination, asked once.
    case sameDestination(as: STUNServer)
    case socket(String)
    case noAnswer(requests: Int, within: Duration)
    case errorResponse(code: Int, reason: String)

    public var description: String {
        switch self {
        case .resolutionFailed(let reason): "cannot resolve the name: \(reason)"
        case .resolutionTimedOut(let timeout): "the name did not resolve within \(timeout)"
        case .noAddress(let family): "the name has no \(family) address"
        case .wrongFamily(let family): "an \(family) address, but the probe uses the other family"
        case .sameDestination(let server): "the same address and port as \(server)"
        case .socket(let reason): reason
        case .noAnswer(let requests, let within): "no answer to \(requests) request\(requests == 1 ? "" : "s") within \(within)"
        case .errorResponse(let code, let reason): "the server answered with error \(code)" + (reason.isEmpty ? "" : " (\(reason))")
        }
    }
}

/// One server's line of the report.
public struct STUNServerResult: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case mapped(STUNMapping)
        case failed(STUNFailure)
    }

    public var server: STUNServer
    /// The address that was asked, once known.
    public var destination: TransportEndpoint?
    public var outcome: Outcome

    public var mapping: STUNMapping? {
        if case .mapped(let mapping) = outcome { return mapping }
        return nil
    }
}

/// Datagrams that arrived on the probe's socket and were not taken as an answer.
public struct DroppedDatagrams: Sendable, Equatable {
    /// Not a well-formed STUN Binding response.
    public var malformed = 0
    /// Well-formed, but for no transaction of this probe, or from another address or port
    /// than the server the transaction went to.
    public var unmatched = 0
    /// What was wrong with the last dropped one.
    public var lastProblem: String?

    public var total: Int { malformed + unmatched }

    public init() {}
}

/// The facts of one probe: per server the mapped endpoint or why there is none, and the verdict.
public struct NATMappingReport: Sendable, Equatable {
    public var family: IPFamily
    /// The one local UDP port every request left from (nil when no socket was opened).
    public var localPort: Int?
    /// In the order the servers were given.
    public var results: [STUNServerResult]
    public var verdict: NATMappingVerdict
    public var dropped: DroppedDatagrams

    /// The verdict as one sentence.
    public var summary: String { verdict.summary }
}
