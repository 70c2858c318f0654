import Foundation

/// One port-mapping protocol as `PortMapper` uses it: probe the router with it, map or renew,
/// and remove. Each protocol's quirks stay in its own type (`PCPMapper`, `NATPMPMapper`,
/// `UPnPMapper`); `PortMapper` only chooses among them and remembers which one worked. The split
/// follows Tailscale's net/portmapper (portmapper.go chooses; pcp.go, pmp.go and upnp.go each
/// know their protocol).
protocol ProtocolMapper: Actor {
    nonisolated var mappingProtocol: MappingProtocol { get }

    /// Whether the router answers this protocol, the WAN address and epoch it reports, and with
    /// `testMapping`, whether it grants (and then loses again) a short test mapping.
    func probe(_ gateway: GatewayInfo, testMapping: Bool) async -> ProtocolProbeResult

    /// Maps, or renews when `previous` is this protocol's lease for the same request.
    func map(_ request: MappingRequest, suggestedExternalPort: UInt16, previous: PortMappingLease?,
             on gateway: GatewayInfo) async throws -> PortMappingLease

    /// Removes a mapping this protocol made.
    func unmap(_ lease: PortMappingLease, on gateway: GatewayInfo) async throws

    /// How often the router's epoch went back (it lost every mapping, RFC 6886 section 3.6,
    /// RFC 6887 section 8.5); always 0 for a protocol without an epoch.
    var epochResets: Int { get }

    /// Forgets what was learned about the router (after an announcement or a network change).
    func forgetRouter()
}

/// What the three protocols' probes share.
enum ProbeSupport {
    static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }

    /// The port of a probe's short test mapping.
    static func testPort() -> UInt16 { UInt16.random(in: 40000...59999) }

    /// Removes a probe's test mapping even when the probe is being cancelled (the daemon
    /// stopping mid-probe): the removal runs in a task of its own, which does not inherit the
    /// cancellation, and is bounded by the client's request timeout. Without this a SIGTERM
    /// between the add and the delete left the mapping on the router for its whole lease.
    static func removeTestMapping(_ remove: @escaping @Sendable () async throws -> Void,
                                  failed: (any Error) -> Void = { _ in }) async {
        let outcome = await Task { () -> (any Error)? in
            do {
                try await remove()
                return nil
            } catch {
                return error
            }
        }.value
        if let outcome { failed(outcome) }
    }

    static func outcome(of error: any Error) -> MappingOutcome {
        if let error = error as? PortMappingError, let code = error.routerCode { return .refused(code: code, reason: "\(error)") }
        return .refused(code: -1, reason: "\(error)")
    }
}

/// A mapping's key in the mappers' tables: one mapping per transport and internal port.
func mappingKey(_ proto: TransportProtocol, _ internalPort: UInt16) -> String { "\(proto.rawValue)/\(internalPort)" }
