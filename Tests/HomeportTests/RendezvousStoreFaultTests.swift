import Foundation
import Testing
@testable import Rendezvous
import RustDeskWire

/// A peer database that cannot be read must not make a registered id look free: RegisterPk
/// with another key is refused until the database answers again.
@Suite struct RendezvousStoreFaultTests {
    typealias Conformance = RendezvousConformanceTests

    @Test func aNewKeyCannotTakeAnIDWhileTheDatabaseCannotBeRead() async throws {
        let id = "987654321"
        let first = try await RendezvousHarness.start()
        let owner = try await Conformance.onlineB(first, ip: "127.0.0.3", id: id)
        await owner.close()
        await first.listeners.close()

        // A new server on the same database: the id is known only to the database.
        let harness = try await RendezvousHarness.start(reusing: first.dir)
        defer { Task { await harness.stop() } }
        let store = harness.server.core.store
        store.lookupFault.withLock { $0 = PeerStore.Failure(description: "database disk image is malformed") }
        let thief = try await UDPPeer(ip: "127.0.0.4")
        let otherKey = [UInt8](repeating: 0x44, count: 32)
        try await thief.send(Conformance.registerPk(id, uuid: Array("thief-machine".utf8), pk: otherKey), to: harness.port)
        let answer = await thief.receiveRaw()
        // RegisterPkResponse with result SERVER_ERROR (7), not OK ([0x82, 0x01, 0x00]).
        #expect(answer?.bytes == [0x82, 0x01, 0x02, 0x08, 0x07], "\(answer?.bytes ?? [])")
        #expect(harness.server.core.stats.value(.peerLookupFailed) == 1)

        store.lookupFault.withLock { $0 = nil }
        // The owner's row is intact.
        let row = try #require(try store.lookup(id: id))
        #expect(row.pk == Conformance.pkB && row.uuid == Conformance.uuidB)
        await thief.close()
    }
}
