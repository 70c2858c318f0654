import Foundation
import GRDB
import History
import InternetAddress
import Reports
import RustDeskWire
import StatusModel
import Testing
@testable import Daemon

/// Issue 13, passive evidence, without a lab: which sources count as outside, the history row,
/// the throttle that keeps a flood off the disk, and the status lines.
struct OutsideContactTests {
    static func address(_ text: String) throws -> IPAddress { try IPAddress(parsing: text) }

    @Test func onlyPublicSourcesAreRemembered() throws {
        let log = OutsideContactLog(serverPort: 21116, listeners: [.rendezvousUDP, .natTest])
        for text in ["192.168.1.5", "10.0.0.7", "172.16.3.3", "100.64.1.1", "127.0.0.1", "169.254.1.1", "::1", "fd00::5", "fe80::1",
                     "::ffff:203.0.113.5", "0.0.0.0"] {
            log.note(.rendezvousUDP, .registration, from: try Self.address(text))
        }
        log.note(.rendezvousUDP, .registration, from: nil)
        #expect(log.contacts.isEmpty, "\(log.contacts)")
        log.note(.natTest, .natTest, from: try Self.address("203.0.113.5"))
        log.note(.relayTCP, .connection, from: try Self.address("203.0.113.5"))  // not this server's listener
        log.note(.rendezvousUDP, .datagram, from: try Self.address("2001:db8::7"))
        log.note(.rendezvousUDP, .registration, from: try Self.address("198.51.100.9"))
        let contacts = log.contacts
        let latest = try Self.address("198.51.100.9")
        #expect(contacts.map(\.listener) == [.rendezvousUDP, .natTest])
        #expect(contacts[0].kind == .registration && contacts[0].source == latest && contacts[0].port == 21116)
        #expect(contacts[1].port == 21115 && contacts[1].transport == .tcp)
    }

    @Test func dualStackSourcesAreJudgedAsIPv4() throws {
        // A dual-stack socket reports an IPv4 client as ::ffff:a.b.c.d, which by itself is "reserved".
        let mapped = try #require(PeerAddress.ipv6(bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 203, 0, 113, 5], port: 4000))
        #expect(IPAddress(bytes: mapped.addressBytes) == IPAddress(203, 0, 113, 5))
        #expect(IPAddress(bytes: PeerAddress.ipv4(192, 168, 1, 2, port: 1).addressBytes)?.isPublic == false)
    }

    @Test func theHistoryKeepsOneRowPerListenerAndCountsWrites() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try HistoryStore(path: dir.file("history.sqlite3"))
        let at = Date(timeIntervalSince1970: 1_800_000_000.25)
        let first = OutsideContact(listener: .relayTCP, port: 21117, kind: .connection, source: try Self.address("203.0.113.5"), at: at)
        try await store.recordOutsideContact(first)
        var later = first
        later.kind = .relaySession
        later.source = try Self.address("2001:db8::1")
        later.at = at.addingTimeInterval(120)
        try await store.recordOutsideContact(later)
        try await store.recordOutsideContact(OutsideContact(listener: .rendezvousUDP, port: 21116, kind: .registration,
                                                            source: try Self.address("198.51.100.1"), at: at))
        let kept = try store.outsideContacts()
        #expect(kept.map(\.listener) == [.rendezvousUDP, .relayTCP])
        #expect(kept.last == later)
        let writes = try await DatabaseQueue(path: dir.file("history.sqlite3")).read { db in
            try Int.fetchOne(db, sql: "SELECT writes FROM outside_contacts WHERE listener = 'relay_tcp'")
        }
        #expect(writes == 2)
        // Pruning old history keeps the last contact: it is the only one there is.
        _ = try await store.prune(olderThan: Date())
        #expect(try store.outsideContacts().count == 2)
    }

    @Test func aContactReadsTheSameWhateverTheDateStrategy() throws {
        let contact = OutsideContact(listener: .rendezvousWebSocket, port: 21118, kind: .punchHoleRequest,
                                     source: try Self.address("203.0.113.77"), at: Date(timeIntervalSince1970: 1_800_000_000.5))
        let plain = try JSONEncoder().encode(contact)
        let text = String(decoding: plain, as: UTF8.self)
        #expect(text.contains(#""at":"2027-01-15T08:00:00.500Z""#), "\(text)")
        #expect(text.contains(#""transport":"tcp""#) && text.contains(#""kind":"punch_hole_request""#) && text.contains(#""listener":"id_server_websocket""#))
        #expect(try StatusJSON.decoder().decode(OutsideContact.self, from: plain) == contact)
        #expect(try JSONDecoder().decode(OutsideContact.self, from: StatusJSON.encoder().encode(contact)) == contact)
    }

    @Test func aFloodIsWrittenAtMostOnceAMinute() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let written = OutsideContact(listener: .rendezvousUDP, port: 21116, kind: .registration, source: try Self.address("203.0.113.5"), at: start)
        #expect(OutsideContactWriter.worthWriting(written, after: nil))
        var next = written
        for seconds in stride(from: 0.0, to: 60, by: 0.5) {
            next.at = start.addingTimeInterval(seconds)
            next.source = try Self.address("203.0.113.\(Int(seconds) % 200 + 1)")
            #expect(!OutsideContactWriter.worthWriting(next, after: written))
        }
        next.at = start.addingTimeInterval(60)
        #expect(OutsideContactWriter.worthWriting(next, after: written))
        var moved = written
        moved.port = 21200
        #expect(OutsideContactWriter.worthWriting(moved, after: written), "a contact on another port proves something new")
    }

    @Test func statusRowsPreferLiveContactsOnTheCurrentPort() throws {
        let now = Date()
        let old = OutsideContact(listener: .rendezvousUDP, port: 21116, kind: .registration, source: try Self.address("203.0.113.5"),
                                 at: now.addingTimeInterval(-3 * 3600))
        let elsewhere = OutsideContact(listener: .relayTCP, port: 30000, kind: .connection, source: try Self.address("203.0.113.6"),
                                       at: now.addingTimeInterval(-60))
        let live = OutsideContact(listener: .natTest, port: 21115, kind: .natTest, source: try Self.address("198.51.100.3"), at: now)
        let rows = ListenerContactStatus.merge(servers: [(.rendezvous, 21116), (.relay, 21117)], live: [live], remembered: [old, elsewhere])
        #expect(rows.map(\.listener) == BuiltinListener.allCases)
        #expect(rows.map(\.port) == [21116, 21116, 21115, 21118, 21117, 21119])
        #expect(rows[0].lastOutsideContact == old)
        #expect(rows[2].lastOutsideContact == live)
        #expect(rows[4].lastOutsideContact == nil, "a contact on the relay's earlier port says nothing about the current one")

        var status = DaemonStatus(daemon: DaemonInfo(running: true, stateDirectory: "/var/lib/homeport"), services: [])
        status.services = [ServiceStatus(name: "rendezvous", state: .running, command: [], health: nil)]
        status.outsideContacts = rows
        let text = StatusReport.render(status, now: now, style: Style(color: false))
        #expect(text.contains("UDP 21116 (ID server registration): last outside registration 3h ago from 203.0.113.5"), "\(text)")
        #expect(text.contains("TCP 21115 (NAT test): last outside NAT test 0s ago from 198.51.100.3"), "\(text)")
        #expect(text.contains("TCP 21119 (relay WebSocket): no outside contact yet"), "\(text)")
        #expect(ScreenWidthTests.overWide(text).isEmpty, "\(text)")
        let json = String(decoding: try StatusJSON.encoder().encode(status), as: UTF8.self)
        #expect(json.contains(#""outside_contacts" : ["#) && json.contains(#""last_outside_contact" : {"#), "\(json)")
    }
}
