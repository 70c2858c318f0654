import Foundation
import GRDB
import Testing
@testable import Rendezvous
import RustDeskWire

/// `homeport peers import` of an hbbs `db_v2.sqlite3` (docs/rustdesk-protocol.md#peer-database), with the real binary, then
/// the imported ids as the server sees them.
@Suite struct RendezvousImportTests {
    typealias Conformance = RendezvousConformanceTests

    struct HbbsPeer {
        let id: String
        let uuid: [UInt8]
        let pk: [UInt8]
    }

    static let peers = [
        HbbsPeer(id: "123456789", uuid: Array("uuid-of-first-machine".utf8), pk: Array(repeating: 0x41, count: 32)),
        HbbsPeer(id: "987654321", uuid: Array("uuid-of-second-machine".utf8), pk: Array(repeating: 0x42, count: 32)),
    ]

    /// A database exactly as rustdesk-server creates and fills it (upstream's schema, 16-byte
    /// guid, IPv4-mapped IP text in `info`).
    static func makeHbbsDatabase(at path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS peer (
                    guid blob PRIMARY KEY NOT NULL,
                    id varchar(100) NOT NULL,
                    uuid blob NOT NULL,
                    pk blob NOT NULL,
                    created_at datetime NOT NULL DEFAULT(current_timestamp),
                    user blob,
                    status tinyint,
                    note varchar(300),
                    info text NOT NULL
                ) WITHOUT ROWID;
                CREATE UNIQUE INDEX IF NOT EXISTS index_peer_id ON peer (id);
                CREATE INDEX IF NOT EXISTS index_peer_user ON peer (user);
                CREATE INDEX IF NOT EXISTS index_peer_created_at ON peer (created_at);
                CREATE INDEX IF NOT EXISTS index_peer_status ON peer (status);
                """)
            for peer in peers {
                var guid = UUID().uuid
                let guidData = withUnsafeBytes(of: &guid) { Data($0) }
                try db.execute(sql: "INSERT INTO peer (guid, id, uuid, pk, info) VALUES (?, ?, ?, ?, ?)",
                               arguments: [guidData, peer.id, Data(peer.uuid), Data(peer.pk), #"{"ip":"::ffff:127.0.0.3"}"#])
            }
        }
        try queue.close()
    }

    @Test func importTwiceThenServeTheImportedIds() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let source = dir.file("hbbs-db_v2.sqlite3")
        try Self.makeHbbsDatabase(at: source)
        let state = TemporaryDirectory()
        defer { state.remove() }

        let first = try await Homeport.run(["peers", "import", source, "--state-dir", state.path])
        #expect(first.exitCode == 0, "\(first.stderr)")
        #expect(first.stdout.contains("Imported 2 peers"), "\(first.stdout)")
        let second = try await Homeport.run(["peers", "import", source, "--state-dir", state.path])
        #expect(second.exitCode == 0, "\(second.stderr)")
        #expect(second.stdout.contains("Imported 0 peers"), "\(second.stdout)")
        #expect(second.stdout.contains("2 were already present and kept"), "\(second.stdout)")
        #expect(try PeerStore(path: state.file("db_v2.sqlite3")).count() == 2)
        // The source is left as it was.
        #expect(try await DatabaseQueue(path: source).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM peer") } == 2)

        let harness = try await RendezvousHarness.start(reusing: state)
        defer { Task { await harness.stop() } }
        let key = try #require(harness.keys.licenceKey)
        let peer = Self.peers[0]

        // Known from the database, not registered in this run: OFFLINE, not ID_NOT_EXIST.
        let a = try await TCPPeer(port: harness.port, from: "127.0.0.2")
        try await a.send(Conformance.punchHoleRequest(peer.id, key: key))
        #expect(await a.receiveRaw() == [0x5a, 0x02, 0x18, 0x02])
        await a.close()

        // Another device cannot take the imported id.
        let thief = try await UDPPeer(ip: "127.0.0.4")
        try await thief.send(Conformance.registerPk(peer.id, uuid: Array("another-machine".utf8), pk: peer.pk), to: harness.port)
        #expect(await thief.receiveRaw()?.bytes == [0x82, 0x01, 0x02, 0x08, 0x02])
        await thief.close()

        // The device itself, from its stored IP, with its stored uuid and pk: OK, and online.
        let b = try await UDPPeer(ip: "127.0.0.3")
        try await b.send(Conformance.registerPk(peer.id, uuid: peer.uuid, pk: peer.pk), to: harness.port)
        #expect(await b.receiveRaw()?.bytes == [0x82, 0x01, 0x00])
        let a2 = try await TCPPeer(port: harness.port, from: "127.0.0.2")
        try await a2.send(Conformance.punchHoleRequest(peer.id, key: key))
        guard case .punchHole? = await b.receive()?.union else { Issue.record("expected PunchHole for the imported id"); return }
        await a2.close()
        await b.close()
    }

    @Test func importedIPInMappedFormIsTheSameIP() async throws {
        // docs/rustdesk-protocol.md#peer-database: upstream stores "::ffff:a.b.c.d"; compared normalized, a peer coming back from
        // that IP with the same uuid and a new pk is accepted (docs/rustdesk-protocol.md#conformance-checklist 16), not refused as
        // if it had moved (checklist 17).
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let source = dir.file("hbbs.sqlite3")
        try Self.makeHbbsDatabase(at: source)
        let state = TemporaryDirectory()
        defer { state.remove() }
        let result = try await Homeport.run(["peers", "import", source, "--state-dir", state.path])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let harness = try await RendezvousHarness.start(reusing: state)
        defer { Task { await harness.stop() } }
        let peer = Self.peers[1]
        let newKey = [UInt8](repeating: 0x43, count: 32)
        let b = try await UDPPeer(ip: "127.0.0.3")
        try await b.send(Conformance.registerPk(peer.id, uuid: peer.uuid, pk: newKey), to: harness.port)
        #expect(await b.receiveRaw()?.bytes == [0x82, 0x01, 0x00])
        await b.close()
        // From another IP the same change is refused.
        let other = try await UDPPeer(ip: "127.0.0.4")
        try await other.send(Conformance.registerPk(peer.id, uuid: peer.uuid, pk: [UInt8](repeating: 0x44, count: 32)), to: harness.port)
        #expect(await other.receiveRaw()?.bytes == [0x82, 0x01, 0x02, 0x08, 0x02])
        await other.close()
    }

    enum BadSource: String, CaseIterable, Sendable {
        case notADatabase, missing, databaseWithoutPeerTable
    }

    @Test(arguments: BadSource.allCases)
    func badSourceIsOneClearErrorLine(_ kind: BadSource) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let source: String
        switch kind {
        case .notADatabase:
            source = dir.write("notes.txt", String(repeating: "this is not SQLite\n", count: 200))
        case .missing:
            source = dir.file("nowhere.sqlite3")
        case .databaseWithoutPeerTable:
            source = dir.file("other.sqlite3")
            let queue = try DatabaseQueue(path: source)
            try await queue.write { try $0.execute(sql: "CREATE TABLE something (x INTEGER)") }
            try queue.close()
        }
        let result = try await Homeport.run(["peers", "import", source, "--state-dir", dir.file("state")])
        #expect(result.exitCode == 1)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 1, "\(kind): \(result.stderr)")
        #expect(lines.first?.hasPrefix("homeport: ") == true)
        #expect(lines.first?.contains(source) == true, "the message names the file")
        #expect(result.stdout.isEmpty)
        #expect(try PeerStore(path: dir.file("state/db_v2.sqlite3")).count() == 0)
    }
}
