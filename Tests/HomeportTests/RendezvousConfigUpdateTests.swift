import Foundation
import Testing
@testable import Rendezvous
import RustDeskWire

/// The announced rendezvous servers (the deprecated ConfigUpdate mechanism): only the
/// operator changes them, through the admin socket. A ConfigureUpdate datagram changes
/// nothing, whatever its source: on a shared host any local user can send one from loopback.
@Suite struct RendezvousConfigUpdateTests {
    typealias Conformance = RendezvousConformanceTests

    /// What a client with `clientSerial` is told after its RegisterPeer (nil: no ConfigUpdate).
    static func announced(port: Int, clientSerial: Int32) async throws -> Hbb_ConfigUpdate? {
        let b = try await UDPPeer(ip: "127.0.0.3")
        defer { Task { await b.close() } }
        try await b.send(Conformance.registerPeer(Conformance.idB, serial: clientSerial), to: port)
        guard await b.receiveRaw() != nil else { throw TestFailure("no RegisterPeerResponse") }
        guard case .configureUpdate(let update)? = await b.receive(timeout: .milliseconds(500))?.union else { return nil }
        return update
    }

    static func adminJSON(_ stateDirectory: String, _ words: [String]) async throws -> [String: Any] {
        let output = try await Homeport.run(["admin", "--state-dir", stateDirectory] + words)
        guard output.exitCode == 0 else { throw TestFailure("admin \(words): \(output.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any] ?? [:]
    }

    /// The real binary: ConfigureUpdate datagrams from 127.0.0.1 and 127.0.0.2 (serial
    /// Int32.max, as in the report) are dropped and counted; `homeport admin config-update`
    /// changes the announced servers and can set the serial back down.
    @Test func loopbackDatagramsChangeNothingAndTheAdminSocketDoes() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let server = try await RendezvousChild.start(["-k", ""], in: dir, environment: ["SERIAL": "5", "RENDEZVOUS_SERVERS": "a.example"])
        let initial = try await Self.announced(port: server.port, clientSerial: 3)
        #expect(initial?.serial == 5 && initial?.rendezvousServers == ["a.example"])

        for ip in ["127.0.0.1", "127.0.0.2"] {
            let local = try await UDPPeer(ip: ip)
            try await local.send(.with { $0.configureUpdate = .with { $0.serial = .max; $0.rendezvousServers = ["evil.example"] } }, to: server.port)
            await local.close()
        }
        let counted = try await eventually(timeout: .seconds(5)) {
            let counters = try await Self.adminJSON(server.stateDirectory, ["status"])["counters"] as? [String: Any]
            return counters?["config_update_refused"] as? Int == 2
        }
        #expect(counted, "both datagrams dropped and counted")
        #expect(try await Self.announced(port: server.port, clientSerial: 5) == nil, "the serial is still 5")
        let unchanged = try await Self.announced(port: server.port, clientSerial: 3)
        #expect(unchanged?.serial == 5 && unchanged?.rendezvousServers == ["a.example"])

        let set = try await Self.adminJSON(server.stateDirectory, ["config-update", "9", "b.example,c.example"])
        #expect(set["serial"] as? Int == 9)
        #expect(set["rendezvous_servers"] as? [String] == ["b.example", "c.example"])
        let changed = try await Self.announced(port: server.port, clientSerial: 5)
        #expect(changed?.serial == 9 && changed?.rendezvousServers == ["b.example", "c.example"])

        // The operator can always go back down (to 0: nothing is announced any more).
        let reset = try await Self.adminJSON(server.stateDirectory, ["config-update", "0"])
        #expect(reset["serial"] as? Int == 0)
        #expect(try await Self.announced(port: server.port, clientSerial: 3) == nil)
        try await server.stop()
    }

    /// The serial is an int32 on the wire: anything else is refused with the valid range, and
    /// the current values stay.
    @Test func adminRefusesSerialsOutsideTheWireRange() async throws {
        let harness = try await RendezvousHarness.start { $0.serial = 5; $0.rendezvousServers = ["a.example"] }
        defer { Task { await harness.stop() } }
        let handler = harness.server.adminHandler
        func json(_ words: [String]) async -> [String: Any] {
            let reply = await handler("config-update", words)
            return (try? JSONSerialization.jsonObject(with: Data(reply))) as? [String: Any] ?? [:]
        }
        for words in [["99999999999"], ["-1"], ["five"], ["2147483648", "b.example"]] {
            let error = await json(words)["error"] as? String
            #expect(error?.contains("from 0 to 2147483647") == true, "\(words): \(error ?? "no error")")
            #expect(error?.contains(words[0]) == true, "names the value: \(error ?? "")")
        }
        #expect(harness.server.core.serial == 5)
        #expect(await json([])["rendezvous_servers"] as? [String] == ["a.example"])
        #expect(await json(["2147483647", "x.example"])["serial"] as? Int == 2_147_483_647)
        #expect(await json(["7", "y.example"])["serial"] as? Int == 7, "lower than before: the operator overrides")
        #expect(harness.server.core.serial == 7)
    }
}
