import Foundation
import InternetAddress
import Logging
import Synchronization

/// Runs the sources of both families concurrently, politely (see `detect`), and turns their answers,
/// the router's facts and the first hops into a `DetectionReport`.
public actor PublicIPDetector {
    public nonisolated let settings: DetectionSettings
    private let sourcesByFamily: [IPFamily: [any PublicIPSource]]
    private let router: (any RouterFactsProvider)?
    private let hopProbe: (any HopProbing)?
    private let logger: Logger
    /// Where each family's next round starts in its echo list.
    private var rotation: [IPFamily: Int] = [:]
    private let echoCounter = Mutex(0)

    /// The production wiring: default or configured HTTP endpoints, DNS whoami sources when a
    /// resolver is given and `dnsEnabled`, interface addresses, the router and the hop probe.
    public init(settings: DetectionSettings, dnsResolver: (any DNSEchoResolver)? = nil, router: (any RouterFactsProvider)? = nil,
                hopProbe: (any HopProbing)? = UpstreamHopProbe(),
                interfaceAddresses: @escaping @Sendable () -> [InterfaceAddress] = InterfaceAddressSource.systemAddresses,
                logger: Logger = Logger(label: "homeport.publicip")) {
        var sources: [any PublicIPSource] = []
        for family in IPFamily.allCases where settings.isEnabled(family) {
            sources += settings.httpSources(family).map {
                HTTPEchoSource(endpoint: $0, timeout: settings.httpTimeout, bodyLimit: settings.httpBodyLimit)
            }
            if settings.dnsEnabled, let dnsResolver {
                sources += DNSEchoSource.defaults(resolver: dnsResolver, family: family, timeout: settings.dnsTimeout)
            }
            if settings.interfaceSourceEnabled {
                sources.append(InterfaceAddressSource(family: family, readAddresses: interfaceAddresses))
            }
        }
        self.init(sources: sources, settings: settings, router: router, hopProbe: hopProbe, logger: logger)
    }

    /// Explicit sources (tests, or a custom set). The router is passed separately because its facts
    /// also feed the verdict; it answers as the IPv4 source "router".
    public init(sources: [any PublicIPSource], settings: DetectionSettings, router: (any RouterFactsProvider)? = nil,
                hopProbe: (any HopProbing)? = nil, logger: Logger = Logger(label: "homeport.publicip")) {
        self.settings = settings
        self.sourcesByFamily = Dictionary(grouping: sources.filter { settings.isEnabled($0.family) }, by: \.family)
        self.router = router
        self.hopProbe = hopProbe
        self.logger = logger
    }

    /// Requests sent to internet echo services (HTTP and DNS) since this detector was made.
    public nonisolated var echoRequestsSent: Int { echoCounter.withLock { $0 } }

    /// One detection. Politeness: per family, the local sources (router, interfaces) are always
    /// asked; of the echo services only `required` are asked first (or one, to confirm a
    /// `previous` address), starting one place further each round; more only when those fail
    /// or disagree.
    public func detect(previous: [IPFamily: IPAddress] = [:]) async -> DetectionReport {
        let started = Date()
        let router = self.router
        let routerStart = ContinuousClock.now
        async let routerFacts = askRouter()
        async let hops = probeHops()
        var plans: [IPFamily: RoundPlan] = [:]
        for family in IPFamily.allCases where settings.isEnabled(family) {
            plans[family] = plan(for: family, previous: previous[family])
        }
        let facts: RouterFacts?? = await routerFacts
        let routerAnswer = router == nil ? nil : RouterSource.answer(from: facts ?? nil, latency: ContinuousClock.now - routerStart)
        if let routerAnswer {
            logger.debug("IPv4 source router (router): asked \(RouterSource.request); \(routerAnswer.conversationText)")
        }
        let echoBefore = echoRequestsSent
        var results: [IPFamily: (FamilyAgreement, [SourceReport])] = [:]
        await withTaskGroup(of: (IPFamily, FamilyAgreement, [SourceReport]).self) { group in
            for (family, plan) in plans {
                let extra: [(String, SourceKind, SourceAnswer)] = family == .ipv4 && routerAnswer != nil ? [("router", .router, routerAnswer!)] : []
                group.addTask { [self] in
                    let (agreement, reports) = await runRound(plan, extra: extra)
                    return (family, agreement, reports)
                }
            }
            for await (family, agreement, reports) in group { results[family] = (agreement, reports) }
        }
        let ipv4 = results[.ipv4]?.0 ?? .disabled(.ipv4)
        let ipv6 = results[.ipv6]?.0 ?? .disabled(.ipv6)
        let measuredHops = await hops
        let routerFactsForVerdict = (facts ?? nil) ?? .silent
        let verdict = NATVerdict.decide(router: routerFactsForVerdict, outsideIPv4: ipv4.address,
                                        outsideIPv6: ipv6.address, hops: measuredHops)
        let sources = (results[.ipv4]?.1 ?? []) + (results[.ipv6]?.1 ?? [])
        let report = DetectionReport(time: started, sources: sources, ipv4: ipv4, ipv6: ipv6,
                                     router: router == nil ? nil : routerFactsForVerdict, hops: measuredHops, verdict: verdict,
                                     echoRequests: echoRequestsSent - echoBefore)
        logger.debug("public address detection: IPv4 \(ipv4.address?.description ?? ipv4.status.rawValue), IPv6 \(ipv6.address?.description ?? ipv6.status.rawValue), verdict \(verdict.kind.rawValue), \(report.echoRequests) echo request(s)")
        return report
    }

    /// The cheap local view: the router's facts and the interface sources' answers. The monitor polls
    /// this often and runs a full `detect` when it changes.
    public func localSnapshot() async -> LocalSnapshot {
        let facts = await askRouter()
        var interfaces: [IPFamily: IPAddress] = [:]
        for family in IPFamily.allCases {
            for source in sourcesByFamily[family] ?? [] where source.kind == .interface {
                if let address = await source.lookup().usableAddress { interfaces[family] = address }
            }
        }
        return LocalSnapshot(routerExternal: (facts ?? nil)?.externalAddress, interfaceAddresses: interfaces)
    }

    // MARK: Rounds

    struct RoundPlan: Sendable {
        var family: IPFamily
        var local: [any PublicIPSource]
        var firstEcho: [any PublicIPSource]
        var laterEcho: [any PublicIPSource]
        var required: Int
        var previous: IPAddress?
    }

    private func plan(for family: IPFamily, previous: IPAddress?) -> RoundPlan {
        let all = sourcesByFamily[family] ?? []
        let local = all.filter { !$0.kind.isEcho }
        let echo = all.filter { $0.kind.isEcho }
        let localCount = local.count + (family == .ipv4 && router != nil ? 1 : 0)
        let required = Agreement.effectiveRequired(configured: settings.requiredAgreement, echoSources: echo.count, localSources: localCount)
        let start = echo.isEmpty ? 0 : (rotation[family] ?? 0) % echo.count
        let rotated = Array(echo[start...] + echo[..<start])
        let firstCount = min(rotated.count, previous == nil ? required : 1)
        rotation[family] = echo.isEmpty ? 0 : (start + max(firstCount, 1)) % echo.count
        return RoundPlan(family: family, local: local, firstEcho: Array(rotated.prefix(firstCount)),
                         laterEcho: Array(rotated.dropFirst(firstCount)), required: required, previous: previous)
    }

    private func runRound(_ plan: RoundPlan, extra: [(String, SourceKind, SourceAnswer)]) async -> (FamilyAgreement, [SourceReport]) {
        var answered: [(source: any PublicIPSource, answer: SourceAnswer)] = []
        answered += await ask(plan.local + plan.firstEcho)
        var remaining = plan.laterEcho[...]
        func evaluate() -> FamilyAgreement {
            let named = extra.map { (name: $0.0, answer: $0.2) } + answered.map { (name: $0.source.name, answer: $0.answer) }
            return Agreement.evaluate(family: plan.family, answers: named, required: plan.required, previous: plan.previous)
        }
        var agreement = evaluate()
        while agreement.status != .agreed, !remaining.isEmpty {
            let top = agreement.votes.first?.sources.count ?? 0
            let count = max(1, plan.required - top)
            let next = Array(remaining.prefix(count))
            remaining = remaining.dropFirst(count)
            answered += await ask(next)
            agreement = evaluate()
        }
        let reports = extra.map { SourceReport(name: $0.0, kind: $0.1, family: plan.family, answer: $0.2) }
            + answered.map { SourceReport(name: $0.source.name, kind: $0.source.kind, family: $0.source.family, answer: $0.answer) }
        logUnsettled(agreement, reports: reports)
        return (agreement, reports)
    }

    /// Says why a family has no address: nothing answered is not a disagreement. Each source's
    /// conversation is at the debug level already (`ask`); `homeport ip` shows the answers too.
    private func logUnsettled(_ agreement: FamilyAgreement, reports: [SourceReport]) {
        switch agreement.status {
        case .agreed, .disabled:
            return
        case .unanswered:
            logger.notice("no source answered with a usable public \(agreement.family) address (\(reports.count) asked)")
        case .insufficient:
            let votes = agreement.votes.map { "\($0.address) from \($0.sources.joined(separator: ", "))" }.joined(separator: "; ")
            logger.notice("too few sources answered for the public \(agreement.family) address (\(agreement.required) needed): \(votes)")
        case .disagreement:
            let votes = agreement.votes.map { "\($0.address) from \($0.sources.joined(separator: ", "))" }.joined(separator: "; ")
            logger.notice("no agreement on the public \(agreement.family) address (\(agreement.required) needed): \(votes)")
        }
    }

    /// Asks sources concurrently; answers come back in the sources' order.
    private func ask(_ sources: [any PublicIPSource]) async -> [(source: any PublicIPSource, answer: SourceAnswer)] {
        let echoCount = sources.filter { $0.kind.isEcho }.count
        echoCounter.withLock { $0 += echoCount }
        var answers = [SourceAnswer?](repeating: nil, count: sources.count)
        await withTaskGroup(of: (Int, SourceAnswer).self) { group in
            for (index, source) in sources.enumerated() {
                group.addTask { (index, await source.lookup()) }
            }
            for await (index, answer) in group { answers[index] = answer }
        }
        let answered = sources.indices.map { (source: sources[$0], answer: answers[$0] ?? .failure(.noAddress("no answer"), latency: .zero)) }
        for (source, answer) in answered {
            logger.debug("\(source.family) source \(source.name) (\(source.kind.rawValue)): asked \(source.request); \(answer.conversationText)")
        }
        return answered
    }

    /// nil: no router provider; .some(nil): it did not answer in time.
    private func askRouter() async -> RouterFacts?? {
        guard let router else { return nil }
        return .some(await withTimeout(settings.routerTimeout) { await router.routerFacts() })
    }

    private func probeHops() async -> UpstreamHops {
        guard let hopProbe, let target = settings.hopProbeTarget else { return .skipped }
        return await hopProbe.probe(toward: target, maxHops: settings.hopProbeMaxHops, timeout: settings.hopProbeTimeout)
    }
}

/// What the cheap local sources say right now.
public struct LocalSnapshot: Sendable, Equatable {
    public var routerExternal: RouterFacts.ExternalAddress?
    public var interfaceAddresses: [IPFamily: IPAddress]

    public init(routerExternal: RouterFacts.ExternalAddress?, interfaceAddresses: [IPFamily: IPAddress]) {
        self.routerExternal = routerExternal
        self.interfaceAddresses = interfaceAddresses
    }
}
