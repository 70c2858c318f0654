import ControlSocket
import Daemon
import Foundation
import History
import Relay
import RustDeskWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `homeport run` starts the relay as a child by default, with the ID server's key required,
/// and shows its sessions in `homeport status`.
@Suite(.serialized) struct DaemonRelayTests {
    @Test func theDaemonRunsTheRelayWithTheServerKey() async throws {
        let base = TestPorts.random()
        // The relay's ports (P and P+2) come from a block of their own: `base + 10` was another
        // test's block, and once took the port of a service in DaemonLeftoverTests.
        let relayPort = TestPorts.random()
        var daemon = DaemonHarness(config: "[rendezvous]\nport = \(base)\n\n[relay]\nport = \(relayPort)\n", builtins: true)
        defer { daemon.remove() }
        try await daemon.start()
        let up = await eventually(timeout: .seconds(20)) {
            guard let status = try? await daemon.status() else { return false }
            return status.relay != nil && status.services.first { $0.name == "relay" }?.healthy == true
        }
        #expect(up, "\(daemon.log)")
        let summary = try #require(try await daemon.status().relay)
        #expect(summary.port == relayPort)
        #expect(summary.licenceKeyEnforced)
        let key = try String(contentsOfFile: daemon.stateDirectory + "/id_ed25519.pub", encoding: .utf8)

        // Two clients with the server's key are paired and relayed; a wrong key is refused.
        func request(_ uuid: String, key: String) -> [UInt8] {
            FrameHeader.frame(RendezvousCoding.encode(.with { $0.requestRelay = .with { $0.uuid = uuid; $0.licenceKey = key } })) ?? []
        }
        let a = try await TCPPeer(port: relayPort, rawFrames: true)
        let b = try await TCPPeer(port: relayPort, rawFrames: true)
        try await a.sendRaw(request("session-1", key: key) + FrameHeader.frame(Array("hello".utf8))!)
        try await b.sendRaw(request("session-1", key: key))
        #expect(await b.receiveRaw() == Array("hello".utf8))
        let stranger = try await TCPPeer(port: relayPort, rawFrames: true)
        try await stranger.sendRaw(request("session-2", key: "not the key"))
        #expect(await stranger.isClosed())
        let status = try await daemon.status()
        #expect(status.relay?.activeSessions == 1)
        #expect(status.relay?.counters.refusedKey == 1)
        // The relay's admin functions also through the daemon's control socket.
        let viaDaemon = try await ControlClient.request(socketPath: daemon.stateDirectory + "/homeport.sock", command: "relay usage")
        #expect(String(decoding: viaDaemon, as: UTF8.self).contains("\"peer\" : \"127.0.0.1:"))
        let human = try await daemon.homeport(["status"])
        #expect(human.stdout.contains("RustDesk relay: TCP \(relayPort), TCP \(relayPort + 2) (WebSocket); key required"))
        #expect(human.stdout.contains("Sessions: 1 active, 1 since start"))
        for peer in [a, b, stranger] { await peer.close() }
        daemon.process?.signal(SIGTERM)
        #expect(try await daemon.process?.wait() == .exited(0))
    }

    @Test func relayUsageAddsUpPerDay() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try HistoryStore(path: dir.file("history.sqlite3"))
        try await store.addRelayUsage(RelayUsageDay(day: "2026-11-24", sessions: 2, bytes: 1000))
        try await store.addRelayUsage(RelayUsageDay(day: "2026-11-25", sessions: 1, bytes: 10))
        try await store.addRelayUsage(RelayUsageDay(day: "2026-11-25", sessions: 3, bytes: 5))
        #expect(try store.relayUsage(from: "2026-11-25") == [RelayUsageDay(day: "2026-11-25", sessions: 4, bytes: 15)])
        #expect(try store.relayUsage(from: "2026-01-01").count == 2)
        let today = RelayUsageDay.dayText(Date())
        let before = try store.relayUsage(from: today).first ?? RelayUsageDay(day: today, sessions: 0, bytes: 0)
        try await store.addRelayUsage(RelayUsageDay(day: today, sessions: 7, bytes: 2_500_000))
        let output = try await Homeport.run(["history", "relay", "--since", "2d", "--state-dir", dir.path])
        #expect(output.exitCode == 0)
        #expect(output.stdout.contains("\(today)  \(before.sessions + 7) "), "\(output.stdout)")
        #expect(output.stdout.contains(before.bytes == 0 ? "2.5 MB" : "MB"))
    }
}
