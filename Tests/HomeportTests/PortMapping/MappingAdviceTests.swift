import Foundation
import InternetAddress
@testable import PortMapping
@testable import PublicIP
import Testing

/// The texts a person reads after a mapping attempt, fed the exact codes a strict router
/// behind carrier-grade NAT answers (miniupnpd 2.3.1 on a 100.64/10 WAN, measured in the lab):
/// PCP 8 NO_RESOURCES (RFC 6887 section 7.4), NAT-PMP 3 network failure (RFC 6886 section 3.5),
/// UPnP 501 ActionFailed.
@Suite("Mapping advice texts")
struct MappingAdviceTests {
    static let strictRouterFailure = PortMappingError.allProtocolsFailed([
        PortMappingError.pcpResult(code: 8).description,
        PortMappingError.natpmpResult(code: 3).description,
        PortMappingError.upnpFault(code: 501, description: "ActionFailed").description,
    ], refusalCodes: [8, 3, 501])

    @Test func aRouterRefusingAllThreeProtocolsIsARefusalNotARouterThatSpeaksNone() {
        #expect(Self.strictRouterFailure.refusedByRouter)
        let (refused, advice) = MappingAdvice.failure(Self.strictRouterFailure)
        #expect(refused)
        #expect(advice.contains("no public address"), "\(advice)")
        #expect(!advice.contains("none of"), "\(advice)")
    }

    @Test func silenceOnEveryProtocolIsNotARefusal() {
        let silent = PortMappingError.allProtocolsFailed(["pcp: no answer", "natpmp: no answer", "upnp: no answer"], refusalCodes: [])
        let (refused, advice) = MappingAdvice.failure(silent)
        #expect(!refused)
        #expect(advice.contains("none of UPnP IGD, NAT-PMP or PCP"), "\(advice)")
    }

    @Test func eachCodeIsNamedWithItsOwnProtocol() {
        #expect(PortMappingError.pcpResult(code: 8).description == "pcp: router refused with result 8 (NO_RESOURCES)")
        #expect(PortMappingError.natpmpResult(code: 3).description == "natpmp: router refused with result 3 (network failure)")
        #expect(Self.strictRouterFailure.description.contains("pcp: router refused with result 8"))
        #expect(!Self.strictRouterFailure.description.contains("natpmp: router refused with result 8"))
    }

    @Test func aPCPRefusalOnARouterThatReportsItsAddressOverNATPMPIsAttributedToPCP() {
        // The router's address came over NAT-PMP; the refusal came over PCP with code 8.
        let facts = RouterFacts(mappingProtocol: .natpmp, externalAddress: .address(ip("203.0.113.5")),
                                mappingRefused: RouterFacts.MappingRefusal(mappingProtocol: .pcp, code: 8, detail: "NO_RESOURCES"))
        let verdict = NATVerdict.decide(router: facts, outsideIPv4: ip("203.0.113.5"), outsideIPv6: nil, hops: .skipped)
        let advice = verdict.advice.joined(separator: " ")
        #expect(advice.contains("pcp (code 8"), "\(advice)")
        #expect(!advice.contains("natpmp"), "a PCP code attributed to NAT-PMP: \(advice)")
    }

    @Test func aMappedCarrierNATOrPrivateAddressIsWarnedAboutAndAPublicOneIsNot() throws {
        let cgnat = try #require(MappingAdvice.unreachableWarning(externalAddress: IPAddress(100, 64, 0, 2)))
        #expect(cgnat.contains("100.64.0.2") && cgnat.contains("carrier-grade NAT") && cgnat.contains("nobody outside can reach"))
        #expect(MappingAdvice.unreachableWarning(externalAddress: IPAddress(100, 127, 255, 254)) != nil)
        #expect(MappingAdvice.unreachableWarning(externalAddress: IPAddress(10, 1, 2, 3))?.contains("private") == true)
        #expect(MappingAdvice.unreachableWarning(externalAddress: IPAddress(192, 168, 1, 1)) != nil)
        #expect(MappingAdvice.unreachableWarning(externalAddress: IPAddress(100, 128, 0, 1)) == nil)
        #expect(MappingAdvice.unreachableWarning(externalAddress: IPAddress(203, 0, 113, 5)) == nil)
        #expect(MappingAdvice.unreachableWarning(externalAddress: nil) == nil)
    }
}
