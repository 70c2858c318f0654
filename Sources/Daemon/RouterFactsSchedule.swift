import Foundation
import InternetAddress
import PortMapping
import PublicIP

/// The router's facts for the detector, cheaply: every call asks the router for its WAN
/// address, but a test mapping (which shows whether the router refuses mappings, the CGNAT
/// evidence, or grants them) is made at most every `testInterval`; in between the last outcome
/// is kept.
actor RouterFactsSchedule: RouterFactsProvider {
    private let testing: PortMapper
    private let plain: PortMapper
    private let testInterval: Duration
    private var lastTest: ContinuousClock.Instant?
    private var lastRefusal: RouterFacts.MappingRefusal?
    private var lastGrant: RouterFacts.MappingProtocol?
    private(set) var lastReport: RouterReport?

    init(testing: PortMapper, plain: PortMapper, testInterval: Duration = .seconds(600)) {
        self.testing = testing
        self.plain = plain
        self.testInterval = testInterval
    }

    func routerFacts() async -> RouterFacts {
        let now = ContinuousClock.now
        let test = lastTest.map { now - $0 >= testInterval } ?? true
        let report = test ? await testing.probe() : await plain.probe()
        lastReport = report
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

    /// The gateway the probes talk to (for the announcement listener), nil when none is found.
    func gatewayAddress() async -> IPAddress? {
        try? await plain.gateway().gateway
    }

    /// Forget the router's cached device and gateway (after an announcement or a network
    /// change). The next test mapping keeps its schedule: right after a change the router is
    /// busy, and the answer that matters then is its new address.
    func invalidate() async {
        await testing.invalidate()
        await plain.invalidate()
    }
}
