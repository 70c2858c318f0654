import Foundation
import GRDB
import InternetAddress
import StatusModel
import Testing
@testable import History

@Suite struct HistoryStoreTests {
    @Test func createsPrivateFilesAndMigratesOnce() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("history.sqlite3")
        let store = try HistoryStore(path: path)
        let runID = try await store.beginDaemonRun(at: Date(), pid: 1, version: "t", heartbeatInterval: 60)
        try await store.record(ServiceEvent(time: Date(), service: "a", kind: .start, pid: 5), runID: runID)
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            let mode = try #require(FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int)
            #expect(mode == 0o600, "\(file) has mode \(String(mode, radix: 8))")
        }
        // Reopening runs the migrator again without harm and sees the data.
        let again = try HistoryStore(path: path)
        #expect(try again.events(since: .distantPast).count == 1)
        let journal = try await again.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
        let sync = try await again.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(sync == 2, "synchronous must be FULL")
    }

    @Test func tightensAnExistingLooseFile() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.write("history.sqlite3", "", mode: 0o644)
        _ = try HistoryStore(path: path)
        let mode = try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
    }

    @Test func readOnlyOpenOfAMissingFileSaysSo() {
        #expect {
            _ = try HistoryStore(path: "/nonexistent/history.sqlite3", readOnly: true)
        } throws: { error in
            "\(error)".contains("No history yet")
        }
    }

    @Test func ipObservationsStoreOnlyChanges() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try HistoryStore(path: dir.file("h.sqlite3"))
        let t = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(try await store.recordIPIfChanged(IPObservation(time: t, address: "203.0.113.1", source: "http")))
        #expect(try await !store.recordIPIfChanged(IPObservation(time: t + 60, address: "203.0.113.1", source: "dns")))
        #expect(try await store.recordIPIfChanged(IPObservation(time: t + 120, address: "2001:db8::1", source: "iface")))
        #expect(try await store.recordIPIfChanged(IPObservation(time: t + 180, address: "203.0.113.2", source: "upnp")))
        let all = try store.ipObservations(since: .distantPast)
        #expect(all.map(\.address) == ["203.0.113.1", "2001:db8::1", "203.0.113.2"])
        #expect(try store.ipAddresses(before: t + 150).map(\.address) == ["203.0.113.1", "2001:db8::1"])
    }

    @Test func storedAddressesAreComparedAsAddressesAndABadRowIsNamed() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("h.sqlite3")
        let store = try HistoryStore(path: path)
        let t = Date(timeIntervalSince1970: 1_700_000_000)
        // A row in another spelling (an older version, a hand edit) is the same address, not a change.
        let database = try DatabaseQueue(path: path)
        try await database.write { db in
            try db.execute(sql: "INSERT INTO ip_observations (ts, family, address, source) VALUES (?, 'ipv6', '2001:DB8:0::1', 'old')",
                           arguments: [t.timeIntervalSince1970])
        }
        #expect(try await !store.recordIPIfChanged(IPObservation(time: t + 60, address: "2001:db8::1", source: "iface")))
        #expect(try store.ipObservations(since: .distantPast).map(\.address) == ["2001:db8::1"])
        // A row that is no address is reported with its table, row and text, not skipped or guessed.
        try await database.write { db in
            try db.execute(sql: "INSERT INTO ip_observations (ts, family, address, source) VALUES (?, 'ipv4', 'garbage', 'x')",
                           arguments: [(t + 120).timeIntervalSince1970])
        }
        let error = #expect(throws: HistoryError.self) { try store.ipObservations(since: .distantPast) }
        #expect(error?.description.contains("history table ip_observations, row 2: address 'garbage' is not an IPv4 or IPv6 address") == true,
                "\(String(describing: error))")
    }

    @Test func pruneKeepsTheLatestStateOfEverything() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try HistoryStore(path: dir.file("h.sqlite3"))
        let old = Date(timeIntervalSince1970: 1_000_000)
        let recent = Date()
        let oldRun = try await store.beginDaemonRun(at: old, pid: 1, version: "t", heartbeatInterval: 60)
        try await store.endDaemonRun(runID: oldRun, at: old + 10)
        try await store.record(ServiceEvent(time: old, service: "gone", kind: .start), runID: oldRun)
        try await store.record(ServiceEvent(time: old + 1, service: "gone", kind: .exit, exitCode: 0), runID: oldRun)
        try await store.record(ServiceEvent(time: old, service: "kept", kind: .start), runID: oldRun)
        try await store.record(ServiceEvent(time: recent, service: "kept", kind: .exit, exitCode: 1), runID: nil)
        try await store.recordIPIfChanged(IPObservation(time: old, address: "203.0.113.9", source: "t"))
        try await store.record(DDNSResult(time: old, provider: "p", hostname: "h", address: "198.51.100.1", outcome: .updated, message: nil))
        let deleted = try await store.prune(olderThan: recent - 86400)
        #expect(deleted == 4)  // "gone" start, "kept" old start, the DDNS row, the old run
        let events = try store.events(since: .distantPast)
        #expect(events.map(\.service).sorted() == ["gone", "kept"])
        #expect(try store.ipObservations(since: .distantPast).count == 1)
        #expect(try store.ddnsResults(since: .distantPast).isEmpty)
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func lastKnownServicesCountRestartsInTheLatestRun() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try HistoryStore(path: dir.file("h.sqlite3"))
        let t = Date(timeIntervalSince1970: 1_700_000_000)
        let first = try await store.beginDaemonRun(at: t, pid: 1, version: "t", heartbeatInterval: 60)
        try await store.record(ServiceEvent(time: t, service: "a", kind: .start), runID: first)
        try await store.record(ServiceEvent(time: t + 1, service: "a", kind: .start), runID: first)
        let second = try await store.beginDaemonRun(at: t + 10, pid: 2, version: "t", heartbeatInterval: 60)
        for i in 0..<3 {
            try await store.record(ServiceEvent(time: t + 11 + Double(i), service: "a", kind: .start), runID: second)
        }
        try await store.record(ServiceEvent(time: t + 20, service: "a", kind: .exit, signal: 9), runID: second)
        let snapshot = try #require(try store.lastKnownServices().first)
        #expect(snapshot.restartsInLastRun == 2)
        #expect(snapshot.lastExit?.signal == 9)
        #expect(snapshot.lastExit?.exitDescription == "killed by signal 9 (SIGKILL)")
        #expect(try store.latestDaemonRun()?.id == second)
    }
}

import Daemon

@Suite struct StatusJSONTests {
    @Test func datesRoundTripWithMilliseconds() throws {
        let date = Date(timeIntervalSince1970: 1_764_068_746.123)
        #expect(StatusJSON.rfc3339(date) == "2025-11-25T11:05:46.123Z")
        #expect(StatusJSON.rfc3339(Date(timeIntervalSince1970: 0.9996)) == "1970-01-01T00:00:01.000Z")
        struct Box: Codable { var at: Date }
        let data = try StatusJSON.encoder().encode(Box(at: date))
        #expect(String(decoding: data, as: UTF8.self) == "{\n  \"at\" : \"2025-11-25T11:05:46.123Z\"\n}")
        let back = try StatusJSON.decoder().decode(Box.self, from: data)
        #expect(abs(back.at.timeIntervalSince(date)) < 0.001)
    }
}
