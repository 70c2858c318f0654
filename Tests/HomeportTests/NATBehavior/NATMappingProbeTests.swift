import InternetAddress
import Synchronization
import Testing
@testable import NATBehavior

/// The probe on loopback against scripted STUN servers: the verdicts, one socket for all
/// servers, retransmission, hostile and broken answers, and name resolution. The lab's
/// LabNATMappingTests run it against stund behind a real NAT.
@Suite struct NATMappingProbeTests {
    /// Quick retransmissions: loopback answers at once unless a script stays silent.
    static let probe = NATMappingProbe(initialRetransmission: .milliseconds(100))

    static func withServers<R>(_ servers: [ScriptedSTUNServer], _ body: ([ScriptedSTUNServer]) async throws -> R) async throws -> R {
        do {
            let result = try await body(servers)
            for server in servers { await server.close() }
            return result
        } catch {
            for server in servers { await server.close() }
            throw error
        }
    }

    @Test func loopbackIsNoNATFromOneLocalPort() async throws {
        try await Self.withServers([try await .honest(), try await .honest()]) { servers in
            let report = await Self.probe.probe(servers: servers.map(\.server), timeout: .seconds(3))
            let port = try #require(report.localPort)
            let local = TransportEndpoint(address: "127.0.0.1", port: port)
            #expect(report.results.map(\.mapping?.mapped) == [local, local])
            #expect(report.results.map(\.mapping?.local) == [local, local])
            #expect(report.verdict == .noNAT(local))
            #expect(report.results.allSatisfy { $0.mapping?.requestsSent == 1 })
            #expect(report.dropped == DroppedDatagrams())
        }
    }

    @Test func oneMappingForEveryServerIsEndpointIndependent() async throws {
        let outside = TransportEndpoint(address: "198.51.100.7", port: 40000)
        try await Self.withServers([try await .honest { _ in outside }, try await .honest { _ in outside }]) { servers in
            let report = await Self.probe.probe(servers: servers.map(\.server))
            #expect(report.verdict == .endpointIndependent(outside))
            #expect(report.summary.contains("can work"))
        }
    }

    @Test func aPortPerServerVariesByDestination() async throws {
        let first = TransportEndpoint(address: "198.51.100.7", port: 40000)
        let second = TransportEndpoint(address: "198.51.100.7", port: 40001)
        try await Self.withServers([try await .honest { _ in first }, try await .honest { _ in second }]) { servers in
            let report = await Self.probe.probe(servers: servers.map(\.server))
            #expect(report.verdict == .variesByDestination([first, second]))
            #expect(report.summary.hasPrefix("Mapping varies by destination") && report.summary.contains("fall back to the relay"))
        }
    }

    /// Garbage, an answer from the server's other port, an answer to a transaction never sent,
    /// then the real answer: the real one counts, the others are dropped and counted.
    @Test func hostileAnswersAreDroppedAndCounted() async throws {
        let hostile = try await ScriptedSTUNServer { request, from, index in
            guard index == 0 else { return [] }
            return [
                (.server, [0xde, 0xad, 0xbe, 0xef]),
                (.otherPort, ScriptedSTUNServer.answer(to: request, mapped: TransportEndpoint(address: "192.0.2.66", port: 666))),
                (.server, ScriptedSTUNServer.answer(to: request, mapped: TransportEndpoint(address: "192.0.2.66", port: 666), id: .random())),
                (.server, ScriptedSTUNServer.answer(to: request, mapped: from)),
            ]
        }
        try await Self.withServers([hostile, try await .honest()]) { servers in
            let report = await Self.probe.probe(servers: servers.map(\.server))
            let port = try #require(report.localPort)
            #expect(report.results[0].mapping?.mapped == TransportEndpoint(address: "127.0.0.1", port: port))
            #expect(report.dropped.malformed == 1 && report.dropped.unmatched == 2, "\(report.dropped)")
            #expect(report.verdict == .noNAT(TransportEndpoint(address: "127.0.0.1", port: port)))
        }
    }

    /// RFC 8489 section 6.2.1: the same request again after the RTO, then after twice that.
    @Test func unansweredRequestsAreRetransmittedWithTheSameTransaction() async throws {
        let ids = IDLog()
        let late = try await ScriptedSTUNServer { request, from, index in
            ids.append(ScriptedSTUNServer.transactionID(of: request))
            return index < 2 ? [] : [(.server, ScriptedSTUNServer.answer(to: request, mapped: from))]
        }
        try await Self.withServers([late, try await .honest()]) { servers in
            let report = await Self.probe.probe(servers: servers.map(\.server))
            let mapping = try #require(report.results[0].mapping, "\(report.results[0])")
            // Three requests when the answer to the third comes back before the next timer; a
            // busy machine can send a fourth first (the count is a schedule, not a speed target).
            #expect((3...4).contains(mapping.requestsSent))
            #expect(mapping.roundTrip >= .milliseconds(300))
            #expect(Set(ids.all).count == 1 && ids.all.count >= 3, "one transaction, retransmitted: \(ids.all)")
        }
    }

    @Test func oneSilentServerLeavesTheVerdictUnknown() async throws {
        let silent = try await ScriptedSTUNServer { _, _, _ in [] }
        try await Self.withServers([try await .honest(), silent]) { servers in
            let report = await Self.probe.probe(servers: servers.map(\.server), timeout: .milliseconds(1000))
            // Requests at 0, 100, 300 and 700 ms; the next would be at 1500. A busy machine can
            // fire a timer late, so fewer may leave within the second, never more.
            let sent = servers[1].requests.value
            #expect((1...4).contains(sent))
            #expect(report.results[1].outcome == .failed(.noAnswer(requests: sent, within: .milliseconds(1000))))
            #expect(report.verdict == .unknown("only one of the 2 STUN servers answered, and it takes two to compare"))
        }
    }

    @Test func errorAnswerIsAFailureOfThatServer() async throws {
        let refusing = try await ScriptedSTUNServer { request, _, _ in
            [(.server, STUNMessageTests.response(type: 0x0111, id: ScriptedSTUNServer.transactionID(of: request),
                                                 [(0x0009, [0, 0, 5, 0] + Array("Server Error".utf8))]))]
        }
        try await Self.withServers([refusing, try await .honest()]) { servers in
            let report = await Self.probe.probe(servers: servers.map(\.server))
            #expect(report.results[0].outcome == .failed(.errorResponse(code: 500, reason: "Server Error")))
            #expect(report.results[0].outcome != .failed(.noAnswer(requests: 1, within: .seconds(3))))
        }
    }

    // MARK: Names

    @Test func namesResolveThroughTheResolverAndDuplicatesAreAskedOnce() async throws {
        try await Self.withServers([try await .honest(), try await .honest()]) { servers in
            let probe = NATMappingProbe(initialRetransmission: .milliseconds(100), resolver: { name, family in
                #expect(family == .ipv4)
                return name == "stun.example" ? ["127.0.0.1"] : []
            })
            let named = STUNServer(host: "stun.example", port: servers[0].endpoint.port)
            let report = await probe.probe(servers: [named, servers[0].server, servers[1].server,
                                                     STUNServer(host: "nothing.example", port: 3478), STUNServer(host: "::1", port: 3478)])
            #expect(report.results[0].mapping != nil)
            #expect(report.results[1].outcome == .failed(.sameDestination(as: named)))
            #expect(report.results[2].mapping != nil)
            #expect(report.results[3].outcome == .failed(.noAddress(.ipv4)))
            #expect(report.results[4].outcome == .failed(.wrongFamily(.ipv6)))
            let mapped = try #require(report.results[0].mapping?.mapped)
            #expect(report.verdict == .noNAT(mapped))
        }
    }

    @Test func aHangingResolverTimesOut() async {
        let probe = NATMappingProbe(resolutionTimeout: .milliseconds(200), resolver: { _, _ in
            try await Task.sleep(for: .seconds(30))
            return []
        })
        let started = ContinuousClock.now
        let report = await probe.probe(servers: [STUNServer(host: "slow.example"), STUNServer(host: "slower.example")])
        // Bounded by the resolution timeout, not by the resolver's 30 s (a generous bound: the
        // point is that it does not wait for the resolver).
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(report.results.map(\.outcome) == [.failed(.resolutionTimedOut(.milliseconds(200))), .failed(.resolutionTimedOut(.milliseconds(200)))])
        #expect(report.localPort == nil)
        #expect(report.verdict == .unknown("none of the 2 STUN servers answered, and it takes two to compare"))
    }
}

/// The transaction IDs a scripted server saw.
final class IDLog: Sendable {
    private let ids = Mutex<[STUNTransactionID]>([])
    func append(_ id: STUNTransactionID) { ids.withLock { $0.append(id) } }
    var all: [STUNTransactionID] { ids.withLock { $0 } }
}
