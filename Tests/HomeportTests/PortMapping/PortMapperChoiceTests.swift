import Foundation
import InternetAddress
import Logging
@testable import PortMapping
import Testing

/// How `PortMapper` chooses among its per-protocol mappers (issue 11): it remembers which
/// protocol worked, and a protocol that was silent in a probe is still tried, only later.
@Suite("PortMapper protocol choice")
struct PortMapperChoiceTests {
    @Test func theProtocolThatWorkedIsAskedFirstNextTime() async throws {
        let router = try await ScriptedNATPMPRouter()
        defer { Task { await router.close() } }
        let mapper = PortMapper(gateway: ScriptedNATPMPRouter.gateway, configuration: router.configuration(protocols: [.pcp, .natpmp]),
                                logger: LogCapture().logger())
        // PCP goes unanswered, NAT-PMP maps.
        let first = try await mapper.map(MappingRequest(proto: .tcp, internalPort: 21115, lifetime: 600))
        #expect(first.mappingProtocol == .natpmp)
        #expect(router.pcpRequests.value >= 1)
        let pcpAskedFirst = router.pcpRequests.value
        // A new mapping goes straight to NAT-PMP: PCP is not asked (and waited for) again.
        let second = try await mapper.map(MappingRequest(proto: .udp, internalPort: 21116, lifetime: 600))
        #expect(second.mappingProtocol == .natpmp)
        #expect(router.pcpRequests.value == pcpAskedFirst, "PCP asked again after NAT-PMP worked")
        // Forgetting the router forgets the choice too.
        await mapper.invalidate()
        #expect(await mapper.order(previous: nil) == [.pcp, .natpmp])
        #expect(await mapper.order(previous: .natpmp) == [.natpmp, .pcp])
    }

    @Test func aProtocolSilentInTheLastProbeIsStillTriedForAMapping() async throws {
        let router = try await ScriptedNATPMPRouter()
        defer { Task { await router.close() } }
        let mapper = PortMapper(gateway: ScriptedNATPMPRouter.gateway, configuration: router.configuration(), logger: LogCapture().logger())
        // The router was busy during the probe (the daemon's router-facts probe shares this mapper).
        router.answering.withLock { $0 = false }
        let report = await mapper.probe(testMapping: false)
        #expect(!report.natpmp.available)
        router.answering.withLock { $0 = true }
        // A renewal must not be refused without asking: the router answers again now.
        let lease = try await mapper.map(MappingRequest(proto: .tcp, internalPort: 21115, lifetime: 600))
        #expect(lease.mappingProtocol == .natpmp && lease.externalAddress == IPAddress(11, 22, 33, 44))
    }
}
