import Foundation
import GRDB
import History
import InternetAddress
import RustDeskWire
import StatusModel
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 13, passive evidence: traffic that reached the built-in servers from a public address
/// through the router's forwarding is shown per listener in `homeport status`, kept in the
/// history across restarts, and a flood of it costs no more disk writes than a single packet.
extension LabScenarioTests {
    @Test func outsideContactsShowPerListenerAndSurviveARestart() async throws {
        try await NetLab.with { lab in
            let port = TestPorts.random()
            let relayPort = TestPorts.random()
            let config = Self.contactConfig(lab, rendezvousPort: port, relayPort: relayPort)
            var daemon = try await lab.startHomeport(["run", "--config", config])
            let udp = try await Self.externalPort(lab, daemon: daemon, "UDP", port)
            let relay = try await Self.externalPort(lab, daemon: daemon, "TCP", relayPort)
            let internet = try IPAddress(parsing: NetLabAddressPlan.internetGateway203)

            // From the LAN (the router's LAN address, private): proves nothing, so not recorded.
            #expect(try await eventually(timeout: .seconds(20), every: .milliseconds(300)) {
                try await lab.tcpConnects(to: lab.homeAddress, port: port, from: .router)
            })
            #expect(try await eventually(timeout: .seconds(20), every: .milliseconds(300)) {
                try await lab.tcpConnects(to: lab.homeAddress, port: relayPort + 2, from: .router)
            })
            #expect(try await Self.sendRegistrations(lab, count: 1, to: lab.homeAddress, port: port, from: .router))
            // From the internet through the router's forwarding. The router may map a port
            // before the server behind it listens: a datagram sent then is lost, so resend.
            var rows: [BuiltinListener: ListenerContactStatus] = [:]
            let seen = try await eventually(timeout: .seconds(20), every: .milliseconds(300)) {
                rows = try await Self.contactRows(lab, config: config)
                if rows[.rendezvousUDP]?.lastOutsideContact == nil {
                    _ = try await Self.sendRegistrations(lab, count: 1, to: lab.routerWANAddress, port: udp, from: .internet)
                }
                if rows[.relayTCP]?.lastOutsideContact == nil {
                    _ = try await lab.tcpConnects(to: lab.routerWANAddress, port: relay, from: .internet)
                }
                return rows[.rendezvousUDP]?.lastOutsideContact != nil && rows[.relayTCP]?.lastOutsideContact != nil
            }
            #expect(seen, "\(rows)\n\(daemon.log)")
            #expect(Set(rows.keys) == Set(BuiltinListener.allCases), "one row per listener of both servers: \(rows)")
            let registration = try #require(rows[.rendezvousUDP]?.lastOutsideContact)
            #expect(registration.kind == .registration && registration.source == internet && registration.port == port, "\(registration)")
            #expect(rows[.rendezvousUDP]?.transport == .udp)
            let connection = try #require(rows[.relayTCP]?.lastOutsideContact)
            #expect(connection.kind == .connection && connection.source == internet && connection.port == relayPort, "\(connection)")
            #expect(rows[.rendezvousTCP]?.lastOutsideContact == nil, "a LAN contact counted as outside: \(rows)")
            #expect(rows[.relayWebSocket]?.lastOutsideContact == nil, "a LAN contact counted as outside: \(rows)")
            #expect(rows[.natTest]?.port == port - 1 && rows[.relayWebSocket]?.port == relayPort + 2)

            let text = try await lab.homeport(["status", "--config", config]).stdout
            #expect(text.contains("UDP \(port) (ID server registration): last outside registration "), "\(text)")
            #expect(text.contains("from \(internet)"), "\(text)")
            #expect(text.contains("TCP \(port) (ID server): no outside contact yet"), "\(text)")
            #expect(ScreenWidthTests.overWide(text).isEmpty, "\(text)")

            // Written to the history within a heartbeat or two; then a flood from outside.
            let database = lab.homeportStateDirectory + "/history.sqlite3"
            #expect(try await eventually(timeout: .seconds(20), every: .milliseconds(300)) {
                try Self.writes(database)[.rendezvousUDP] != nil && Self.writes(database)[.relayTCP] != nil
            })
            let firstWrite = Date()
            #expect(try await Self.sendRegistrations(lab, count: 10_000, to: lab.routerWANAddress, port: udp, from: .internet))
            #expect(try await eventually(timeout: .seconds(20), every: .milliseconds(300)) {
                let latest = try await Self.contactRows(lab, config: config)[.rendezvousUDP]?.lastOutsideContact
                return (latest?.at ?? .distantPast) > registration.at
            })
            // Several heartbeats (1 s) after the flood, so the writer has looked at it.
            try await Task.sleep(for: .seconds(3))
            let writes = try Self.writes(database)[.rendezvousUDP] ?? 0
            let bound = 2 + Int(Date().timeIntervalSince(firstWrite) / 60)
            #expect(writes >= 1 && writes <= bound, "\(writes) history writes for a flood of 10000 datagrams (at most \(bound) allowed)")

            // Stopped: `status` rebuilds the contacts from the history.
            daemon.signal(SIGTERM)
            #expect(await daemon.wait(timeout: .seconds(15)) == .exited(0), "\(daemon.log)")
            let offline = try await lab.homeport(["status", "--json", "--config", config])
            #expect(offline.exitCode == 3)
            let remembered = try StatusJSON.decoder().decode(DaemonStatus.self, from: Data(offline.stdout.utf8)).outsideContacts ?? []
            #expect(remembered.first { $0.listener == .rendezvousUDP }?.lastOutsideContact?.source == internet, "\(offline.stdout)")

            // Restarted: the new servers have seen nothing yet; the history still tells.
            daemon = try await lab.startHomeport(["run", "--config", config], name: "homeport-again")
            var again: [BuiltinListener: ListenerContactStatus] = [:]
            #expect(await eventually(timeout: .seconds(20), every: .milliseconds(300)) {
                // The running daemon's answer, not the offline one rebuilt from the history.
                let output = try? await lab.homeport(["status", "--json", "--config", config])
                guard output?.exitCode == 0 else { return false }
                again = (try? await Self.contactRows(lab, config: config)) ?? [:]
                return again[.rendezvousUDP]?.lastOutsideContact != nil
            }, "\(again)\n\(daemon.log)")
            #expect(again[.rendezvousUDP]?.lastOutsideContact?.source == internet)
            #expect(again[.relayTCP]?.lastOutsideContact?.kind == .connection)
            #expect(again[.rendezvousTCP]?.lastOutsideContact == nil)
            daemon.signal(SIGTERM)
            #expect(await daemon.wait(timeout: .seconds(15)) == .exited(0), "\(daemon.log)")
        }
    }

    /// Both servers, mapped on the router, heartbeats (and so history writes) every second.
    static func contactConfig(_ lab: NetLab, rendezvousPort: Int, relayPort: Int) -> String {
        lab.dir.write("contacts.toml", """
        [daemon]
        state_dir = "\(lab.homeportStateDirectory)"
        heartbeat_interval = "1s"

        [ip]
        http_ipv4 = [\(NetLabAddressPlan.echoURLs.map { "\"\($0)\"" }.joined(separator: ", "))]
        http_ipv6 = []
        dns = false
        agreement = 2
        ipv6 = false
        interval = "5m"
        router_interval = "2s"

        [router]
        map_ports = true

        [rendezvous]
        port = \(rendezvousPort)

        [relay]
        port = \(relayPort)
        """)
    }

    /// The router's external port for the home's `transport` `port`, once the daemon mapped it.
    static func externalPort(_ lab: NetLab, daemon: LabProcess, _ transport: String, _ port: Int) async throws -> Int {
        var mapping: NetLab.UPnPMapping?
        _ = try await eventually(timeout: .seconds(30), every: .milliseconds(500)) {
            guard daemon.isRunning else { return true }
            mapping = try await lab.upnpMappings().first {
                $0.internalAddress == lab.homeAddress && $0.transport == transport && $0.internalPort == port
            }
            return mapping != nil
        }
        return try #require(mapping, "no \(transport) \(port) mapping\n\(daemon.log)").externalPort
    }

    /// `count` RegisterPeer datagrams from `host`, sent by socat from a file in blocks of one
    /// message each (one datagram per block).
    static func sendRegistrations(_ lab: NetLab, count: Int, to address: String, port: Int, from host: NetLab.Host) async throws -> Bool {
        let message = RendezvousCoding.encode(.with { $0.registerPeer = .with { $0.id = "contact123" } })
        let path = lab.dir.file("register-\(count).bin")
        _ = FileManager.default.createFile(atPath: path, contents: Data((0..<count).flatMap { _ in message }))
        let output = try await lab.exec(host, ["socat", "-u", "-b", String(message.count), "OPEN:\(path)",
                                               "UDP4:\(address):\(port),sourceport=\(lab.freshSourcePort())"], timeout: 60)
        return output.exitCode == 0
    }

    /// `homeport status --json`'s outside contact rows, by listener.
    static func contactRows(_ lab: NetLab, config: String) async throws -> [BuiltinListener: ListenerContactStatus] {
        let output = try await lab.homeport(["status", "--json", "--config", config])
        let status = try StatusJSON.decoder().decode(DaemonStatus.self, from: Data(output.stdout.utf8))
        return Dictionary((status.outsideContacts ?? []).map { ($0.listener, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// How often each listener's history row was written.
    static func writes(_ database: String) throws -> [BuiltinListener: Int] {
        guard FileManager.default.fileExists(atPath: database) else { return [:] }
        let queue = try DatabaseQueue(path: database, configuration: { var c = Configuration(); c.readonly = true; return c }())
        let rows = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT listener, writes FROM outside_contacts")
        }
        return Dictionary(rows.compactMap { row in BuiltinListener(rawValue: row["listener"]).map { ($0, row["writes"] as Int) } },
                          uniquingKeysWith: { first, _ in first })
    }
}
