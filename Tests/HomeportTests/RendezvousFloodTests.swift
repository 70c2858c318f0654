import Foundation
import Synchronization
import Testing
@testable import Rendezvous
import RustDeskWire

/// Registration floods: one IPv6 /64 counts as one source, and new ids per minute are bounded
/// for the whole server. Sources are synthesized at the core (the tests can only send from
/// loopback); the same path the UDP handler calls.
@Suite struct RendezvousFloodTests {
    typealias Conformance = RendezvousConformanceTests

    /// RegisterPk for `id` from `source`; the answer's result (nil: no answer).
    static func register(_ core: RendezvousCore, _ id: String, from source: PeerAddress) async -> Hbb_RegisterPkResponse.Result? {
        let result = Mutex<Hbb_RegisterPkResponse.Result?>(nil)
        await core.registerPk(Conformance.registerPk(id).registerPk, from: source) { message in
            if case .registerPkResponse(let response)? = message.union { result.withLock { $0 = response.result } }
        }
        return result.withLock { $0 }
    }

    static let site: UInt128 = 0x2001_0db8_0001_0002 << 64

    /// 100 addresses of one /64 (a single home LAN or one attacker's privacy addresses) get
    /// the burst allowance of one IPv4 address (32), not 100 × 32; another /64 is separate.
    @Test func ipv6SourcesOfOneSlash64ShareOneLimit() async throws {
        let clock = ManualClock()
        let harness = try await RendezvousHarness.start(clock: clock)
        defer { Task { await harness.stop() } }
        let core = harness.server.core
        var results: [Hbb_RegisterPkResponse.Result?] = []
        for index in 0..<100 {
            let source = PeerAddress.v6(Self.site | UInt128(index + 1) &* 0x0001_0000_0001_0001, port: 40000)
            results.append(await Self.register(core, "\(3_000_000 + index)", from: source))
        }
        #expect(results.filter { $0 == .ok }.count == 32, "\(results.filter { $0 == .ok }.count) accepted")
        #expect(results.filter { $0 == .tooFrequent }.count == 68)
        let otherSite = PeerAddress.v6((0x2001_0db8_0001_0003 << 64) | 5, port: 40000)
        #expect(await Self.register(core, "3999999", from: otherSite) == .ok)
        let ipv4 = PeerAddress.ipv4(198, 51, 100, 20, port: 40000)
        #expect(await Self.register(core, "3999998", from: ipv4) == .ok)
        // After a quiet minute the /64 may register again.
        clock.advance(milliseconds: 60_001)
        #expect(await Self.register(core, "3888888", from: .v6(Self.site | 0xdead, port: 1)) == .ok)
    }

    /// The limiter's key: IPv4 by address (IPv4-mapped IPv6 as IPv4), IPv6 by its /64.
    @Test func sourceKeys() {
        #expect(IPBlocker.key(for: .ipv4(198, 51, 100, 20, port: 1)) == "198.51.100.20")
        #expect(IPBlocker.key(for: .v6(0xFFFF_C633_6414, port: 2)) == "198.51.100.20")
        #expect(IPBlocker.key(for: .v6(Self.site | 0x1234_5678_9abc_def0, port: 3)) == "2001:db8:1:2::/64")
        #expect(IPBlocker.key(for: .v6(1, port: 4)) == "::/64")
    }

    /// Beyond 300 new ids in a minute (the default), every further new id is refused with
    /// TOO_FREQUENT, even from 301 different addresses; known ids still register, and the
    /// next minute new ids are accepted again.
    @Test func newIDsPerMinuteAreBoundedOverall() async throws {
        let clock = ManualClock()
        let harness = try await RendezvousHarness.start(clock: clock)
        defer { Task { await harness.stop() } }
        let core = harness.server.core
        func source(_ index: Int) -> PeerAddress { .v4(0x0A00_0000 + UInt32(index + 1), port: 40000) }
        let results = await withTaskGroup(of: Hbb_RegisterPkResponse.Result?.self, returning: [Hbb_RegisterPkResponse.Result?].self) { group in
            for index in 0..<301 {
                group.addTask { await Self.register(core, "\(4_000_000 + index)", from: source(index)) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter { $0 == .ok }.count == 300, "\(results.filter { $0 == .ok }.count) accepted")
        #expect(results.filter { $0 == .tooFrequent }.count == 1)
        let known = try #require((0..<301).first { core.table.contains("\(4_000_000 + $0)") })
        #expect(await Self.register(core, "\(4_000_000 + known)", from: source(known)) == .ok, "a known id is not new")
        #expect(await Self.register(core, "4999999", from: source(999)) == .tooFrequent)
        clock.advance(milliseconds: 60_001)
        #expect(await Self.register(core, "4999999", from: source(999)) == .ok)
    }
}
