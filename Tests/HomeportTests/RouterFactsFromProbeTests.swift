import Foundation
import InternetAddress
@testable import Daemon
@testable import PortMapping
import PublicIP
import Testing

/// What the verdict gets from a router probe (`NetworkComponents.routerFacts(from:)`, used by
/// `homeport ip` and the daemon alike).
@Suite("Router facts from a probe")
struct RouterFactsFromProbeTests {
    static let info = GatewayInfo(gateway: IPAddress(192, 168, 77, 1), localAddress: IPAddress(192, 168, 77, 2), interfaceName: "eth0")

    /// The naive STUN router (measured in the lab): it reports the carrier NAT's outside
    /// address and grants the test mapping. The grant must reach the verdict's evidence.
    @Test func aGrantedTestMappingIsKeptWithItsProtocol() {
        let pcp = ProtocolProbeResult(mappingProtocol: .pcp, available: true, externalAddress: "203.0.113.9", mapping: .works)
        let natpmp = ProtocolProbeResult(mappingProtocol: .natpmp, available: true, externalAddress: "203.0.113.9", mapping: .works)
        let upnp = ProtocolProbeResult(mappingProtocol: .upnp, available: true, externalAddress: "203.0.113.9", mapping: .works)
        let facts = NetworkComponents.routerFacts(from: PortMapper.summarize(info: Self.info, upnp: upnp, natpmp: natpmp, pcp: pcp))
        #expect(facts.mappingGranted == .pcp)
        #expect(facts.mappingRefused == nil)
        #expect(facts.externalAddress == .address(ip("203.0.113.9")))
    }

    /// The STUN router behind a filtering carrier NAT: PCP refuses without an address, NAT-PMP
    /// still names the outside address. The refusal carries its code's name in its own protocol.
    @Test func aRefusalIsNamedInItsOwnProtocolAndNothingCountsAsGranted() {
        let pcp = ProtocolProbeResult(mappingProtocol: .pcp, available: true,
                                      mapping: .refused(code: 8, reason: "pcp: router refused with result 8 (NO_RESOURCES)"))
        let natpmp = ProtocolProbeResult(mappingProtocol: .natpmp, available: true, externalAddress: "203.0.113.9",
                                         mapping: .refused(code: 3, reason: "natpmp: router refused with result 3 (network failure)"))
        let upnp = ProtocolProbeResult(mappingProtocol: .upnp, available: true, externalAddress: "203.0.113.9",
                                       mapping: .refused(code: 501, reason: "upnp: router refused with error 501 (Action Failed)"))
        let facts = NetworkComponents.routerFacts(from: PortMapper.summarize(info: Self.info, upnp: upnp, natpmp: natpmp, pcp: pcp))
        #expect(facts.mappingProtocol == .natpmp)
        #expect(facts.mappingRefused == RouterFacts.MappingRefusal(mappingProtocol: .pcp, code: 8, detail: "NO_RESOURCES"))
        #expect(facts.mappingGranted == nil)
        #expect(facts.refusesForLackOfPublicAddress)
    }

    @Test func refusalCodesAreNamedByTheirProtocol() {
        #expect(PortMappingError.refusalName(code: 8, mappingProtocol: .pcp) == "NO_RESOURCES")
        #expect(PortMappingError.refusalName(code: 3, mappingProtocol: .natpmp) == "network failure")
        #expect(PortMappingError.refusalName(code: 501, mappingProtocol: .upnp) == "ActionFailed")
        #expect(PortMappingError.refusalName(code: 70_000, mappingProtocol: .pcp) == "unknown result code")
    }
}
