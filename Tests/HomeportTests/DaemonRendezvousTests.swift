import ControlSocket
import Daemon
import Foundation
import Rendezvous
import RustDeskWire
import Supervisor
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `homeport run` starts the rendezvous server as a child by default, health-checks it with
/// a NAT test, restarts it, and shows it in `homeport status`.
@Suite(.serialized) struct DaemonRendezvousTests {
    @Test func theDaemonRunsTheRendezvousServer() async throws {
        let port = TestPorts.random()
        var daemon = DaemonHarness(config: "[rendezvous]\nport = \(port)\n\n[relay]\nenabled = false\n", builtins: true)
        defer { daemon.remove() }
        try await daemon.start()
        let healthy = await eventually(timeout: .seconds(20)) {
            guard let status = try? await daemon.status() else { return false }
            return status.services.first { $0.name == "rendezvous" }?.healthy == true && status.rendezvous != nil
        }
        #expect(healthy, "\(daemon.log)")
        let status = try await daemon.status()
        let service = try #require(status.services.first { $0.name == "rendezvous" })
        #expect(service.state == .running)
        #expect(service.health == "nat-test:\(port)")
        let summary = try #require(status.rendezvous)
        #expect(summary.port == port)
        let publicKey = try String(contentsOfFile: daemon.stateDirectory + "/id_ed25519.pub", encoding: .utf8)
        #expect(summary.publicKey == publicKey)
        #expect(summary.licenceKeyEnforced)
        #expect(summary.onlinePeers == 0)
        let keyMode = try #require(FileManager.default.attributesOfItem(atPath: daemon.stateDirectory + "/id_ed25519")[.posixPermissions] as? Int)
        #expect(keyMode == 0o600)

        // A peer registers; status counts it online.
        let peer = try await UDPPeer(ip: "127.0.0.3")
        try await peer.send(.with { $0.registerPk = .with { $0.id = "123456789"; $0.uuid = Data("u".utf8); $0.pk = Data(repeating: 1, count: 32) } }, to: port)
        #expect(await peer.receiveRaw()?.bytes == [0x82, 0x01, 0x00])
        #expect(try await daemon.status().rendezvous?.onlinePeers == 1)
        let viaDaemon = try await ControlClient.request(socketPath: daemon.stateDirectory + "/homeport.sock", command: "rendezvous always-use-relay")
        #expect(try JSONSerialization.jsonObject(with: Data(viaDaemon)) as? [String: Bool] == ["always_use_relay": false])
        let human = try await daemon.homeport(["status"])
        #expect(human.stdout.contains("RustDesk ID server: UDP+TCP \(port), TCP \(port - 1) (NAT test), TCP \(port + 2) (WebSocket)"))
        #expect(human.stdout.contains("Key: \(publicKey)  (clients must use it)"))
        #expect(human.stdout.contains("Peers: 1 online, 1 registered"))

        // kill -9 the server: the supervisor restarts it, the peer survives in the database.
        let pid = try #require(service.pid)
        kill(pid, SIGKILL)
        #expect(await eventually(timeout: .seconds(15)) {
            guard let again = try? await daemon.service("rendezvous") else { return false }
            return again.pid != pid && again.state == .running && again.healthy == true
        })
        #expect(try await daemon.status().rendezvous?.peersInDatabase == 1)
        await peer.close()
        daemon.process?.signal(SIGTERM)
        #expect(try await daemon.process?.wait() == .exited(0))
    }
}
