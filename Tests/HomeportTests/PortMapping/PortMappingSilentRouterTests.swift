import Foundation
import InternetAddress
import Logging
@testable import PortMapping
import Testing

/// A router that answers none of PCP, NAT-PMP and UPnP (issue 12, defect 7): one probe round
/// asks all three at once, every port is then unavailable together, and no port is asked for
/// one protocol after another; a router that answers and refuses stays a refusal.
@Suite("Port mapping with a silent router")
struct PortMappingSilentRouterTests {
    /// What reached a router on 127.0.0.2 that never answers: PCP and NAT-PMP share its port
    /// (RFC 6887 section 19.1) and SSDP searches are sent to it too.
    final class SilentRouter: Sendable {
        struct Heard: Sendable {
            var counts: [String: Int] = [:]
        }

        let heard = LockedBox(Heard())
        private let responder: ScriptedUDPResponder
        var port: Int { responder.port }

        init() async throws {
            let heard = self.heard
            responder = try await ScriptedUDPResponder(host: "127.0.0.2", otherHost: "127.0.0.3") { request in
                let kind = Self.kind(of: request)
                heard.withLock { $0.counts[kind, default: 0] += 1 }
                return []
            }
        }

        /// PCP (version 2, RFC 6887 section 7.1) ANNOUNCE is opcode 0 and MAP 1; NAT-PMP
        /// (version 0, RFC 6886 section 3.2/3.3) asks the address with opcode 0 and maps with 1 or 2.
        static func kind(of request: [UInt8]) -> String {
            if request.starts(with: Array("M-SEARCH".utf8)) { return "ssdp search" }
            switch (request.first, request.count > 1 ? request[1] : 255) {
            case (2, 0): return "pcp announce"
            case (2, 1): return "pcp map"
            case (0, 0): return "natpmp address"
            case (0, 1), (0, 2): return "natpmp map"
            default: return "other"
            }
        }

        var mappingRequests: Int {
            let counts = heard.value.counts
            return (counts["pcp map"] ?? 0) + (counts["natpmp map"] ?? 0)
        }

        func mapper(logger: Logger) -> PortMapper {
            PortMapper(gateway: GatewayInfo(gateway: IPAddress(127, 0, 0, 2), localAddress: IPAddress(127, 0, 0, 1), interfaceName: "lo"),
                       configuration: .init(probeTimeout: .seconds(2), requestTimeout: .seconds(2), natpmpPort: port, ssdpPort: port),
                       logger: logger)
        }

        func close() async { await responder.close() }
    }

    /// The six ports the built-in servers need (RouterPortPlan with the default ports).
    static let builtInPorts: [MappingRequest] = [
        MappingRequest(proto: .tcp, internalPort: 21115, externalPort: 21115), MappingRequest(proto: .tcp, internalPort: 21116, externalPort: 21116),
        MappingRequest(proto: .udp, internalPort: 21116, externalPort: 21116), MappingRequest(proto: .tcp, internalPort: 21118, externalPort: 21118),
        MappingRequest(proto: .tcp, internalPort: 21117, externalPort: 21117), MappingRequest(proto: .tcp, internalPort: 21119, externalPort: 21119),
    ]

    /// Before the fix each port waited out PCP, then NAT-PMP, then UPnP: 6 x 3 mapping requests
    /// and a log line for each, then a warning per port.
    @Test func oneProbeRoundMakesEveryPortUnavailable() async throws {
        let router = try await SilentRouter()
        defer { Task { await router.close() } }
        let mapperLog = LogCapture(), keeperLog = LogCapture()
        let keeper = MappingLeaseKeeper(mapper: router.mapper(logger: mapperLog.logger()), desired: Self.builtInPorts, logger: keeperLog.logger())

        await keeper.reconcile()

        let states = await keeper.states().map(\.state)
        #expect(states.count == 6)
        let reasons = Set(states.compactMap { if case .unavailable(let reason) = $0 { reason } else { nil } })
        #expect(reasons == ["no router answered PCP, NAT-PMP or UPnP at 127.0.0.2 (asked in parallel, 2.0 s each)"], "\(states)")
        #expect(router.mappingRequests == 0, "no port is asked for before a protocol answers: \(router.heard.value.counts)")
        // One probe round that asked all three protocols, for all six ports together.
        let counts = router.heard.value.counts
        #expect(["pcp announce", "natpmp address", "ssdp search"].allSatisfy { counts[$0] ?? 0 > 0 }, "\(counts)")
        let rounds = keeperLog.lines.filter { $0.contains("port(s) unavailable, asking again in") }
        #expect(rounds.count == 1 && rounds.first?.contains("6 port(s)") == true, "\(keeperLog.lines)")
        #expect(!mapperLog.lines.contains { $0.contains("did not map") }, "\(mapperLog.lines)")
        #expect(!keeperLog.lines.contains { $0.hasPrefix("warning") }, "\(keeperLog.lines)")
    }

    /// The steady state: the router is asked again after 1 s, 2 s, then the retry interval
    /// (one round each time, no port asked for), and at once, from the shortest wait, on a
    /// recheck (a router announcement or a network change).
    @Test func aSilentRouterIsAskedAgainOnABackOffSchedule() async throws {
        let router = try await SilentRouter()
        defer { Task { await router.close() } }
        let keeperLog = LogCapture()
        let keeper = MappingLeaseKeeper(mapper: router.mapper(logger: LogCapture().logger()), desired: Self.builtInPorts,
                                        retryInterval: .seconds(4), silenceBackoff: .seconds(1), presenceMaxAge: .milliseconds(100),
                                        logger: keeperLog.logger())
        let rounds = { keeperLog.lines.filter { $0.contains("port(s) unavailable, asking again in") } }
        let run = Task { await keeper.run() }
        // Generous: three rounds take about 3 x 2 s plus the 1 s and 2 s waits, more on a loaded machine.
        let sawThree = await eventually(timeout: .seconds(60), every: .milliseconds(100)) { rounds().count >= 3 }
        #expect(sawThree, "\(keeperLog.lines)")
        let beforeRecheck = rounds().count
        await keeper.recheckNow()
        let sawRecheck = await eventually(timeout: .seconds(30), every: .milliseconds(100)) { rounds().count > beforeRecheck }
        #expect(sawRecheck, "\(keeperLog.lines)")
        run.cancel()
        await run.value

        let waits = rounds().map { $0.components(separatedBy: "asking again in ").last ?? "" }
        #expect(Array(waits.prefix(3)) == ["1 s", "2 s", "4 s"], "\(rounds())")
        #expect(waits.count > beforeRecheck && waits[beforeRecheck] == "1 s", "the wait starts again after a recheck: \(rounds())")
        #expect(rounds().allSatisfy { $0.contains("6 port(s) unavailable") }, "every port in each round: \(rounds())")
        #expect(router.mappingRequests == 0, "\(router.heard.value.counts)")
        #expect(!keeperLog.lines.contains { $0.hasPrefix("warning") }, "\(keeperLog.lines)")
    }

    /// A router that answers and says no (NAT-PMP result 3, network failure, as behind carrier
    /// NAT) is not silent: each port is asked for and ends refused, with the router's code.
    @Test func aRouterThatAnswersAndRefusesStaysARefusal() async throws {
        let responder = try await ScriptedUDPResponder(host: "127.0.0.2", otherHost: "127.0.0.3") { request in
            guard request.first == 0, request.count >= 2 else { return [] }
            // RFC 6886 section 3.5: result 3 (network failure) in every answer.
            let head: [UInt8] = [0x00, 0x80 | request[1], 0x00, 0x03, 0x00, 0x00, 0x01, 0x00]
            return [(.gateway, request[1] == 0 ? head + [0, 0, 0, 0] : head + Array(request[4..<8]) + [0, 0, 0, 0])]
        }
        defer { Task { await responder.close() } }
        let mapper = PortMapper(gateway: GatewayInfo(gateway: IPAddress(127, 0, 0, 2), localAddress: IPAddress(127, 0, 0, 1), interfaceName: "lo"),
                                // Generous: a loaded machine must not turn the answer into silence.
                                configuration: .init(probeTimeout: .seconds(5), requestTimeout: .seconds(5), protocols: [.natpmp], natpmpPort: responder.port),
                                logger: LogCapture().logger())
        let keeper = MappingLeaseKeeper(mapper: mapper, desired: Array(Self.builtInPorts.prefix(2)), logger: LogCapture().logger())
        await keeper.reconcile()
        let states = await keeper.states().map(\.state)
        #expect(states.count == 2)
        #expect(states.allSatisfy { if case .refused(_, let code) = $0 { code == 3 } else { false } }, "\(states)")
    }

    /// A router that misses a probe round has not lost the mappings it granted: a lease that
    /// has not run out stays mapped, so it is renewed when the router answers again and
    /// removed when the keeper stops.
    @Test func aLeaseOutlivesASilentRoundAndIsRemovedAtShutdown() async throws {
        let router = try await ScriptedNATPMPRouter()
        defer { Task { await router.close() } }
        let mapper = PortMapper(gateway: ScriptedNATPMPRouter.gateway, configuration: router.configuration(), logger: LogCapture().logger())
        let keeper = MappingLeaseKeeper(mapper: mapper, desired: [MappingRequest(proto: .udp, internalPort: 21116, lifetime: 3600)],
                                        presenceMaxAge: .zero, logger: LogCapture().logger())
        await keeper.reconcile()
        let granted = await keeper.states().first?.state
        try #require(granted?.kind == .mapped, "\(String(describing: granted))")

        router.answering.withLock { $0 = false }
        await keeper.recheckNow()
        await keeper.reconcile()
        let afterSilence = await keeper.states().first?.state
        #expect(afterSilence == granted, "\(String(describing: afterSilence))")

        router.answering.withLock { $0 = true }
        await keeper.removeAll()
        #expect(router.maps.value.last == ScriptedNATPMPRouter.MapRequest(internalPort: 21116, lifetime: 0), "\(router.maps.value)")
    }
}
