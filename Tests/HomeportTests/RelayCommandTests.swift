import Foundation
import Relay
import RustDeskWire
import Testing

/// `homeport relay` as hbbr is run (docs/rustdesk-protocol.md#options, #key-option): the real binary on loopback, its
/// options and list files, and its admin socket `relay.sock` (instead of hbbr's console).
@Suite struct RelayCommandTests {
    /// Pairs two clients through `port` and checks one byte each way.
    private func expectRelays(port: Int, from first: String = "127.0.0.1", _ second: String = "127.0.0.1", key: String = "",
                              sourceLocation: SourceLocation = #_sourceLocation) async throws -> (RelayTestClient, RelayTestClient) {
        let uuid = relayUUID()
        let a = try await RelayTestClient.paired(port: port, from: first, uuid: uuid, key: key, extra: [0xA])
        let b = try await RelayTestClient.paired(port: port, from: second, uuid: uuid, key: key, extra: [0xB])
        #expect(await b.waitForBytes(1), sourceLocation: sourceLocation)
        #expect(await a.waitForBytes(1), sourceLocation: sourceLocation)
        #expect(b.received == [0xA], sourceLocation: sourceLocation)
        #expect(a.received == [0xB], sourceLocation: sourceLocation)
        return (a, b)
    }

    private func expectRefused(_ client: RelayTestClient, sourceLocation: SourceLocation = #_sourceLocation) async {
        #expect(await client.waitClosed(timeout: .seconds(3)), "still open", sourceLocation: sourceLocation)
        #expect(client.receivedCount == 0, sourceLocation: sourceLocation)
    }

    /// `-p P` from loopback (relayed, no console), then the admin socket (`relay.sock`, and
    /// `homeport admin --relay`): status, usage and a blocklist entry that takes effect at
    /// once; SIGTERM ends it with 0.
    @Test func portFlagLoopbackClientsAndAdminSocket() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let relay = try await RelayChild.start(in: dir)
        #expect(relay.process.log.contains("relay listening on TCP \(relay.port)"))
        #expect(relay.process.log.contains("no key required"))
        let (a, b) = try await expectRelays(port: relay.port)

        let status = try #require(try await relay.admin("status") as? [String: Any])
        #expect(status["active_sessions"] as? Int == 1)
        #expect(status["licence_key_enforced"] as? Bool == false)
        #expect((status["counters"] as? [String: Any])?["paired"] as? Int == 1)
        let usage = try #require(try await relay.admin("usage") as? [[String: Any]])
        #expect(usage.count == 1)
        #expect((usage.first?["peer"] as? String)?.hasPrefix("127.0.0.1:") == true)
        #expect(usage.first?["bytes"] as? Int == 2)

        // Through the CLI (`homeport admin --relay`), as a user would.
        let added = try await Homeport.run(["admin", "--relay", "--state-dir", relay.stateDirectory, "blocklist-add", "127.0.0.9"])
        #expect(added.exitCode == 0, "\(added.stderr)")
        #expect(try JSONSerialization.jsonObject(with: Data(added.stdout.utf8)) as? [String] == ["127.0.0.9"])
        #expect((try await relay.admin("blocklist 127.0.0.9") as? [String: Bool])?["listed"] == true)
        let blocked = try await RelayTestClient.paired(port: relay.port, from: "127.0.0.9", uuid: relayUUID())
        await expectRefused(blocked)
        #expect(try await relay.admin("blocklist-remove all") as? [String] == [])
        let (c, d) = try await expectRelays(port: relay.port, from: "127.0.0.9", "127.0.0.9")
        let counters = try #require((try await relay.admin("status") as? [String: Any])?["counters"] as? [String: Any])
        #expect(counters["refused_blocklist"] as? Int == 1)
        #expect(counters["paired"] as? Int == 2)

        #expect((try await relay.admin("single-bandwidth 64") as? [String: Double])?["single_bandwidth_mbps"] == 64)
        #expect((try await relay.admin("nonsense") as? [String: String])?["error"]?.contains("unknown command") == true)
        for client in [a, b, c, d] { await client.close() }
        try await relay.stop()
        #expect(!FileManager.default.fileExists(atPath: relay.adminSocket), "the admin socket is removed on exit")
    }

    /// hbbr's environment: PORT=P puts the relay on P+1; blocklist.txt in the working
    /// directory refuses its IPs (text before the first space, comments ignored); -k makes
    /// the licence key mandatory.
    @Test func portFromEnvironmentBlocklistFileAndKeyFlag() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        _ = dir.write("blocklist.txt", "# refused\n127.0.0.7 abuser\n  127.0.0.8\n")
        let relay = try await RelayChild.start(["-k", "relay-secret"], in: dir, portFromEnvironment: true, workingDirectory: dir.path)
        #expect(relay.process.log.contains("relay listening on TCP \(relay.port)"), "PORT=\(relay.port - 1) must put the relay on \(relay.port)")
        #expect(relay.process.log.contains("clients must present key relay-secret"))
        for ip in ["127.0.0.7", "127.0.0.8"] {
            let blocked = try await RelayTestClient.connect(port: relay.port, from: ip)
            await expectRefused(blocked)
        }
        let wrong = try await RelayTestClient.paired(port: relay.port, from: "127.0.0.2", uuid: relayUUID(), key: "guess")
        await expectRefused(wrong)
        let (a, b) = try await expectRelays(port: relay.port, from: "127.0.0.2", "127.0.0.3", key: "relay-secret")
        let counters = try #require((try await relay.admin("status") as? [String: Any])?["counters"] as? [String: Any])
        #expect(counters["refused_blocklist"] as? Int == 2)
        #expect(counters["refused_key"] as? Int == 1)
        #expect(try await relay.admin("blocklist") as? [String] == ["127.0.0.7", "127.0.0.8"])
        await a.close()
        await b.close()
        try await relay.stop()
    }

    /// `-k -`: the key is the public key of id_ed25519 in the state directory (created if
    /// missing), as hbbr's `-k -` uses its key pair.
    @Test func dashKeyUsesTheStateDirectoryKeyPair() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let relay = try await RelayChild.start(["-k", "-"], in: dir)
        let publicKey = try String(contentsOfFile: relay.stateDirectory + "/id_ed25519.pub", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Data(base64Encoded: publicKey)?.count == 32)
        let wrong = try await RelayTestClient.paired(port: relay.port, from: "127.0.0.2", uuid: relayUUID(), key: "")
        await expectRefused(wrong)
        let (a, b) = try await expectRelays(port: relay.port, from: "127.0.0.2", "127.0.0.3", key: publicKey)
        #expect((try await relay.admin("status") as? [String: Any])?["licence_key_enforced"] as? Bool == true)
        await a.close()
        await b.close()
        try await relay.stop()
    }
}

/// Start failures of `homeport relay` that used to vanish in a `try?`.
@Suite struct RelayStartFailureTests {
    @Test func anAdminSocketThatCannotBeBoundIsReported() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        // A non-empty directory where the socket belongs: neither removable nor bindable.
        try FileManager.default.createDirectory(atPath: dir.file("state/relay.sock/occupied"), withIntermediateDirectories: true)
        let relay = try await RelayChild.start(in: dir)
        defer { relay.process.signal(SIGTERM) }
        let reported = await eventually(timeout: .seconds(5)) { relay.process.log.contains("Admin commands are unavailable") }
        #expect(reported, "\(relay.process.log)")
    }
}
