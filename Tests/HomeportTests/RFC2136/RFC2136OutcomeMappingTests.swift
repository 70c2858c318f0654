@testable import DDNS
import DNSWire
import History
import Testing

/// The response-code table of docs/ddns-policy.md#rfc-2136-results, code by code (the live tests cover the ones BIND sends).
@Suite struct RFC2136OutcomeMappingTests {
    static let rows: [(code: DNSResponseCode, outcome: DDNSOutcome)] = [
        (.noError, .updated), (.refused, .authError), (.notAuth, .hostError), (.notZone, .hostError),
        (.notImplemented, .hostError), (.nameError, .hostError), (.serverFailure, .retryLater),
        (.formatError, .error), (.yxDomain, .error), (.yxRRSet, .error), (.nxRRSet, .error),
        (DNSResponseCode(rawValue: 11), .error),
    ]

    @Test(arguments: rows)
    func responseCodeMapsToOutcome(row: (code: DNSResponseCode, outcome: DDNSOutcome)) throws {
        let result = RFC2136Updater.result(for: row.code, name: try DNSName("host.home.test"), family: .ipv4,
                                           addresses: ["192.0.2.1"], zone: "home.test.", server: try DNSServer("127.0.0.1"))
        #expect(result.outcome == row.outcome)
        #expect(result.responseCode == row.code.description)
    }

    @Test func tsigFailuresMapToOutcomes() throws {
        let server = try DNSServer("127.0.0.1")
        func outcome(_ error: TSIGError) -> RFC2136Result { RFC2136Updater.result(for: error, zone: "home.test.", server: server) }
        #expect(outcome(.serverRejected(.badSignature, headerResponseCode: .notAuth, serverTime: nil)).outcome == .authError)
        #expect(outcome(.serverRejected(.badKey, headerResponseCode: .notAuth, serverTime: nil)).outcome == .authError)
        let badTime = outcome(.serverRejected(.badTime, headerResponseCode: .notAuth, serverTime: 1))
        #expect(badTime.outcome == .error && badTime.clockSkew && badTime.message.contains("clock skew"))
        #expect(outcome(.timeOutsideFudge(signed: 1, local: 1000, fudge: 300)).clockSkew)
        #expect(outcome(.badSignature).outcome == .error)
        #expect(outcome(.unsigned(responseCode: .noError)).outcome == .error)
    }

    @Test func badInputIsReportedWithoutSendingAnything() async throws {
        let updater = RFC2136Updater()
        // Port 9 on loopback: nothing is sent for these, so nothing answers or needs to.
        let mixed = try await updater.update(zone: "home.test", hostname: "h.home.test", addresses: ["192.0.2.1", "2001:db8::1"],
                                             ttl: 60, server: "127.0.0.1", port: 9, key: nil)
        #expect(mixed.outcome == .error && mixed.message.contains("all IPv4 or all IPv6"))
        let noAddress = try await updater.update(zone: "home.test", hostname: "h.home.test", addresses: [],
                                                 ttl: 60, server: "127.0.0.1", port: 9, key: nil)
        #expect(noAddress.outcome == .error)
        let badName = try await updater.update(zone: "home.test", hostname: "a..b", addresses: ["192.0.2.1"],
                                               ttl: 60, server: "127.0.0.1", port: 9, key: nil)
        #expect(badName.outcome == .hostError)
        let badTTL = try await updater.update(zone: "home.test", hostname: "h.home.test", addresses: ["192.0.2.1"],
                                              ttl: -1, server: "127.0.0.1", port: 9, key: nil)
        #expect(badTTL.outcome == .error && badTTL.message.contains("ttl"))
    }
}
