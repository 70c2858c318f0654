import Foundation
import PortMapping
import PublicIP

/// The router's facts for the detector, cheaply: every call asks the router for its WAN
/// address, but a test mapping (which shows whether the router refuses mappings, the CGNAT
/// evidence, or grants them) is made at most every `testInterval` (`[router] test_mapping_interval`); in between
/// the last outcome is kept.
actor RouterFactsSchedule {
    private let mapper: PortMapper
    private let testInterval: Duration
    private var lastTest: ContinuousClock.Instant?
    private var lastRefusal: RouterFacts.MappingRefusal?
    private var lastGrant: RouterFacts.MappingProtocol?

    init(mapper: PortMapper, testInterval: Duration) {
        self.mapper = mapper
        self.testInterval = testInterval
    }

    func routerFacts() async -> RouterFacts {
        let now = ContinuousClock.now
        let test = lastTest.map { now - $0 >= testInterval } ?? true
        let report = await mapper.probe(testMapping: test)
        var facts = NetworkComponents.routerFacts(from: report)
        if test {
            lastTest = now
            lastRefusal = facts.mappingRefused
            lastGrant = facts.mappingGranted
        } else if facts.mappingProtocol != .none {
            facts.mappingRefused = lastRefusal
            facts.mappingGranted = lastGrant
        }
        return facts
    }
}
