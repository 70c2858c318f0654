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

    /// A probe's first question to the router. An answer, or a refusal (the router is there and
    /// said no, e.g. NAT-PMP 3 with no WAN address), makes the protocol available; silence or
    /// garbage leaves it unavailable. Returns the answer, or nil with the error recorded.
    static func firstAnswer<Answer: Sendable>(into result: inout ProtocolProbeResult,
                                              _ ask: () async throws -> Answer) async -> Answer? {
        let start = ContinuousClock.now
        do {
            let answer = try await ask()
            result.available = true
            result.latencyMilliseconds = milliseconds(since: start)
            return answer
        } catch let error as PortMappingError where error.isRefusal {
            result.available = true
            result.latencyMilliseconds = milliseconds(since: start)
            result.error = "\(error)"
        } catch {
            result.error = "\(error)"
        }
        return nil
    }

    /// Makes a short test mapping of a random high UDP port with `map`, records whether the
    /// router granted it, and removes it with `unmap` even when the add failed (the router may
    /// have granted it anyway) or the probe is being cancelled (the daemon stopping mid-probe):
    /// the removal runs in a task of its own, which does not inherit the cancellation, and is
    /// bounded by the client's request timeout. Without this a SIGTERM between the add and the
    /// delete left the mapping on the router for its whole lease. Returns the grant, if any.
    static func testMapping<Grant: Sendable>(into result: inout ProtocolProbeResult,
                                             map: (UInt16) async throws -> Grant,
                                             unmap: @escaping @Sendable (UInt16) async throws -> Void,
                                             removalFailed: (_ error: any Error, _ granted: Bool) -> Void = { _, _ in }) async -> Grant? {
        let port = UInt16.random(in: 40000...59999)
        var grant: Grant?
        do {
            grant = try await map(port)
            result.mapping = .works
        } catch {
            result.mapping = outcome(of: error)
        }
        let removal = await Task { () -> (any Error)? in
            do {
                try await unmap(port)
                return nil
            } catch {
                return error
            }
        }.value
        if let removal { removalFailed(removal, grant != nil) }
        return grant
    }

    private static func outcome(of error: any Error) -> MappingOutcome {
        if let error = error as? PortMappingError, let code = error.routerCode { return .refused(code: code, reason: "\(error)") }
        return .refused(code: -1, reason: "\(error)")
    }
}

/// A mapping's key in the mappers' tables: one mapping per transport and internal port.
func mappingKey(_ proto: TransportProtocol, _ internalPort: UInt16) -> String { "\(proto.rawValue)/\(internalPort)" }
