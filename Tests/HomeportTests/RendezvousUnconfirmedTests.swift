import Foundation
import GRDB
import NIOCore
import Synchronization
import Testing
@testable import Rendezvous
import RustDeskWire

/// Ids created in a flood leave the database (the real SQLite file) once they are
/// `unconfirmed-id-days` old and never came back; real clients and imported rows stay.
@Suite struct RendezvousUnconfirmedTests {
    typealias Flood = RendezvousFloodTests

    static let day: Int64 = 86_400_000

    static func ids(in path: String) throws -> [String] {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in try String.fetchAll(db, sql: "SELECT id FROM peer ORDER BY id") }
    }

    /// A RegisterPeer heartbeat through the UDP entry point; whether the server asked for the key.
    static func heartbeat(_ core: RendezvousCore, _ id: String, from source: PeerAddress) -> Bool? {
        let bytes = RendezvousCoding.encode(RendezvousConformanceTests.registerPeer(id))
        let answer = Mutex<Bool?>(nil)
        core.handleDatagram(ByteBuffer(bytes: bytes), from: source) { message in
            if case .registerPeerResponse(let response)? = message.union { answer.withLock { $0 = response.requestPk } }
        }
        return answer.withLock { $0 }
    }

    @Test func floodCreatedIDsThatNeverCameBackAreDeleted() async throws {
        let clock = ManualClock()
        let wall = ManualClock(start: 1_800_000_000_000)
        let harness = try await RendezvousHarness.start(clock: clock, wallClock: wall)
        defer { Task { await harness.stop() } }
        let core = harness.server.core
        let path = harness.server.settings.databasePath

        // A row homeport did not create (as `homeport peers import` copies them from hbbs).
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO peer (guid, id, uuid, pk, info) VALUES (x'01', '100000001', x'02', x'03', '{}')")
        }
        // A flood: ids registered once from many sources, never heard of again.
        for index in 0..<5 {
            let source = PeerAddress.v4(0x0A00_0100 + UInt32(index), port: 40000)
            #expect(await Flood.register(core, "\(200_000_000 + index)", from: source) == .ok)
        }
        // A real client: registers, then keeps sending RegisterPeer.
        let client = PeerAddress.ipv4(198, 51, 100, 7, port: 40000)
        #expect(await Flood.register(core, "300000001", from: client) == .ok)
        for _ in 0..<6 {
            clock.advance(milliseconds: 12_000)
            wall.advance(milliseconds: 12_000)
            #expect(Self.heartbeat(core, "300000001", from: client) == false)
        }
        let confirmed = await eventually(timeout: .seconds(10)) { (try? core.store.lookup(id: "300000001"))?.unconfirmed == false }
        #expect(confirmed, "the heartbeat a minute after its registration confirms it")
        #expect(try core.store.lookup(id: "200000000")?.unconfirmed == true)

        // Six days later nothing goes; after seven (the default) the flood does.
        clock.advance(milliseconds: 6 * Self.day)
        wall.advance(milliseconds: 6 * Self.day)
        #expect(await core.pruneUnconfirmedIDs() == 0)
        #expect(try Self.ids(in: path).count == 7)
        clock.advance(milliseconds: Self.day)
        wall.advance(milliseconds: Self.day)
        #expect(await core.pruneUnconfirmedIDs() == 5)
        #expect(try Self.ids(in: path) == ["100000001", "300000001"])
        #expect(!core.table.contains("200000000"), "gone from memory too")
        #expect(core.table.contains("300000001"))
        #expect(harness.server.stats.value(.unconfirmedPruned) == 5)
        // A pruned id that returns is a new id: asked for its key.
        #expect(Self.heartbeat(core, "200000000", from: .v4(0x0A00_0100, port: 40000)) == true)
    }

    /// `unconfirmed-id-days` 0 keeps every row.
    @Test func zeroDaysKeepsEverything() async throws {
        let clock = ManualClock()
        let wall = ManualClock(start: 1_800_000_000_000)
        let harness = try await RendezvousHarness.start(clock: clock, wallClock: wall) { $0.unconfirmedIDDays = 0 }
        defer { Task { await harness.stop() } }
        let core = harness.server.core
        #expect(await Flood.register(core, "200000000", from: .ipv4(203, 0, 113, 1, port: 1)) == .ok)
        wall.advance(milliseconds: 3650 * Self.day)
        #expect(await core.pruneUnconfirmedIDs() == 0)
        #expect(try Self.ids(in: harness.server.settings.databasePath) == ["200000000"])
    }
}
