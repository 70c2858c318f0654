import Foundation
import GRDB
import NIOCore
import NIOPosix
import Testing
@testable import Rendezvous
import RustDeskWire

/// The rendezvous server against docs/rustdesk-protocol.md#conformance-checklist, over real loopback
/// sockets (numbers refer to the checklist). Different peers use different loopback
/// addresses (127.0.0.2, 127.0.0.3 …) to stand for different public IPs.
@Suite(.serialized) struct RendezvousConformanceTests {
    static let idB = "123456789"
    static let uuidB: [UInt8] = Array("machine-uuid-of-B".utf8)
    static let pkB: [UInt8] = Array(repeating: 0x11, count: 32)

    static func registerPeer(_ id: String, serial: Int32 = 3) -> Hbb_RendezvousMessage {
        .with { $0.registerPeer = .with { $0.id = id; $0.serial = serial } }
    }

    static func registerPk(_ id: String, uuid: [UInt8] = uuidB, pk: [UInt8] = pkB) -> Hbb_RendezvousMessage {
        .with { $0.registerPk = .with { $0.id = id; $0.uuid = Data(uuid); $0.pk = Data(pk) } }
    }

    static func punchHoleRequest(_ id: String, key: String, nat: Hbb_NatType = .asymmetric) -> Hbb_RendezvousMessage {
        .with { $0.punchHoleRequest = .with { $0.id = id; $0.licenceKey = key; $0.natType = nat; $0.version = "1.4.9" } }
    }

    /// Registers B (RegisterPk) from `ip` and returns its UDP socket.
    static func onlineB(_ harness: RendezvousHarness, ip: String = "127.0.0.3", id: String = idB, pk: [UInt8] = pkB) async throws -> UDPPeer {
        let b = try await UDPPeer(ip: ip)
        try await b.send(registerPk(id, pk: pk), to: harness.port)
        let answer = await b.receiveRaw()
        #expect(answer?.bytes == [0x82, 0x01, 0x00])
        return b
    }

    func signerKey(_ harness: RendezvousHarness) -> [UInt8] {
        harness.keys.signer?.publicKey ?? []
    }

    func online(_ harness: RendezvousHarness, _ ids: [String]) async throws -> [UInt8]? {
        let query = try await TCPPeer(port: harness.port - 1)
        defer { Task { await query.close() } }
        try await query.send(.with { $0.onlineRequest = .with { $0.id = "999999999"; $0.peers = ids } })
        guard case .onlineResponse(let response)? = await query.receive()?.union else { return nil }
        return Array(response.states)
    }

    // MARK: Registration

    @Test func registrationOverUDP() async throws {
        let harness = try await RendezvousHarness.start()
        defer { Task { await harness.stop() } }
        let b = try await UDPPeer(ip: "127.0.0.3")
        // 8: empty id, no answer.
        try await b.send(Self.registerPeer(""), to: harness.port)
        #expect(await b.receiveRaw(timeout: .milliseconds(300)) == nil)
        // 9: unknown id: request_pk, not online.
        try await b.send(Self.registerPeer(Self.idB), to: harness.port)
        let asked = try #require(await b.receiveRaw())
        #expect(asked.bytes == [0x3a, 0x02, 0x10, 0x01])
        #expect(asked.port == harness.port, "4: answers come from port P")
        #expect(try await online(harness, [Self.idB]) == [0x00])
        // 13: empty uuid or pk, no answer.
        try await b.send(Self.registerPk(Self.idB, uuid: []), to: harness.port)
        try await b.send(Self.registerPk(Self.idB, pk: []), to: harness.port)
        #expect(await b.receiveRaw(timeout: .milliseconds(300)) == nil)
        // 14: a 5-byte id is told UUID_MISMATCH (the client then picks a new id).
        try await b.send(Self.registerPk("12345"), to: harness.port)
        #expect(await b.receiveRaw()?.bytes == [0x82, 0x01, 0x02, 0x08, 0x02])
        // 10: RegisterPk for a new id: OK, online at once, a row with info {"ip": …}.
        try await b.send(Self.registerPk(Self.idB), to: harness.port)
        #expect(await b.receiveRaw()?.bytes == [0x82, 0x01, 0x00])
        #expect(try await online(harness, [Self.idB]) == [0x80])
        let row = try #require(try PeerStore(path: harness.server.settings.databasePath).lookup(id: Self.idB))
        #expect(row.ip == "127.0.0.3" && row.pk == Self.pkB && row.uuid == Self.uuidB)
        let info = try await DatabaseQueue(path: harness.server.settings.databasePath).read { db in
            try String.fetchOne(db, sql: "SELECT info FROM peer WHERE id = ?", arguments: [Self.idB])
        }
        #expect(info == #"{"ip":"127.0.0.3"}"#)
        // 11: RegisterPeer from the same IP: request_pk = false.
        try await b.send(Self.registerPeer(Self.idB), to: harness.port)
        #expect(await b.receiveRaw()?.bytes == [0x3a, 0x00])
        // 15: another device (uuid) cannot take the id.
        let thief = try await UDPPeer(ip: "127.0.0.4")
        try await thief.send(Self.registerPk(Self.idB, uuid: Array("other-machine".utf8)), to: harness.port)
        #expect(await thief.receiveRaw()?.bytes == [0x82, 0x01, 0x02, 0x08, 0x02])
        // 17: same uuid, new pk, from another IP: refused too.
        try await thief.send(Self.registerPk(Self.idB, pk: [UInt8](repeating: 0x22, count: 32)), to: harness.port)
        #expect(await thief.receiveRaw()?.bytes == [0x82, 0x01, 0x02, 0x08, 0x02])
        // 16: same uuid, new pk, same IP: accepted and signed from now on with the new pk.
        let newKey = [UInt8](repeating: 0x33, count: 32)
        try await b.send(Self.registerPk(Self.idB, pk: newKey), to: harness.port)
        #expect(await b.receiveRaw()?.bytes == [0x82, 0x01, 0x00])
        let signed = await harness.server.core.signedPk(id: Self.idB, version: "1.4.9")
        let opened = try #require(ServerKeyPair.open(signed, publicKey: signerKey(harness)))
        #expect(opened == IdPkSigning.serializedIdPk(id: Self.idB, pk: newKey))
        await b.close()
        await thief.close()
    }

    /// 12: a RegisterPeer from a different non-loopback IP must prove its key again. Loopback
    /// sources are exempt (docs/rustdesk-protocol.md#register-peer), so this runs on the protocol core with documentation
    /// addresses.
    @Test func registerPeerFromANewPublicIPAsksForTheKey() async throws {
        let harness = try await RendezvousHarness.start()
        defer { Task { await harness.stop() } }
        let core = harness.server.core
        let home = PeerAddress.ipv4(203, 0, 113, 5, port: 40000)
        let moved = PeerAddress.ipv4(198, 51, 100, 7, port: 40000)
        await core.registerPk(Self.registerPk(Self.idB).registerPk, from: home) { _ in }
        #expect(core.table.registerPeer(id: Self.idB, from: home.with(port: 40001), now: core.clock.now()) == false)
        let before = try #require(core.table.entry(Self.idB)).lastRegistration
        #expect(core.table.registerPeer(id: Self.idB, from: moved, now: core.clock.now() + 5000) == true)
        #expect(core.table.entry(Self.idB)?.lastRegistration == before, "no refresh from the new IP")
        #expect(core.table.entry(Self.idB)?.socketAddress == home.with(port: 40001))
    }

    @Test func registerPkRateLimits() async throws {
        let clock = ManualClock()
        let harness = try await RendezvousHarness.start(clock: clock)
        defer { Task { await harness.stop() } }
        // 18: per id, at most 3 accepted RegisterPk less than 6 s apart.
        let b = try await UDPPeer(ip: "127.0.0.3")
        var answers: [[UInt8]] = []
        for _ in 0..<4 {
            try await b.send(Self.registerPk(Self.idB), to: harness.port)
            answers.append(await b.receiveRaw()?.bytes ?? [])
            clock.advance(milliseconds: 1000)
        }
        #expect(answers == [[0x82, 0x01, 0x00], [0x82, 0x01, 0x00], [0x82, 0x01, 0x00], [0x82, 0x01, 0x02, 0x08, 0x04]])
        clock.advance(milliseconds: 6001)
        try await b.send(Self.registerPk(Self.idB), to: harness.port)
        #expect(await b.receiveRaw()?.bytes == [0x82, 0x01, 0x00])

        // 19: per source IP, 32 RegisterPk in a burst, the 33rd refused until 60 s of quiet.
        let flood = try await UDPPeer(ip: "127.0.0.9")
        var accepted = 0
        for index in 0..<33 {
            try await flood.send(Self.registerPk("10000000\(index + 10)"), to: harness.port)
            if await flood.receiveRaw()?.bytes == [0x82, 0x01, 0x00] { accepted += 1 }
        }
        #expect(accepted == 32)
        try await flood.send(Self.registerPk("1000000099"), to: harness.port)
        #expect(await flood.receiveRaw()?.bytes == [0x82, 0x01, 0x02, 0x08, 0x04])
        clock.advance(milliseconds: 60_001)
        try await flood.send(Self.registerPk("1000000099"), to: harness.port)
        #expect(await flood.receiveRaw()?.bytes == [0x82, 0x01, 0x00])
        #expect(harness.server.stats.value(.registerPkRefused) == 3)
    }

    @Test func onlineWindowIsThirtySeconds() async throws {
        let clock = ManualClock()
        let harness = try await RendezvousHarness.start(clock: clock)
        defer { Task { await harness.stop() } }
        let b = try await Self.onlineB(harness)
        // 20: online at 29.9 s, offline at 30.0 s, and PunchHoleRequest agrees.
        clock.advance(milliseconds: 29_900)
        #expect(try await online(harness, [Self.idB]) == [0x80])
        let key = harness.keys.licenceKey ?? ""
        clock.advance(milliseconds: 100)
        #expect(try await online(harness, [Self.idB]) == [0x00])
        let a = try await TCPPeer(port: harness.port, from: "127.0.0.2")
        try await a.send(Self.punchHoleRequest(Self.idB, key: key))
        #expect(await a.receiveRaw() == [0x5a, 0x02, 0x18, 0x02])
        await a.close()
        await b.close()
    }

    @Test func restartKeepsIdsButNotOnlineState() async throws {
        let first = try await RendezvousHarness.start()
        let b = try await Self.onlineB(first)
        let directory = first.dir
        await first.listeners.close()
        // 21 and 43: after a restart the id is only in the database: offline, asked for its
        // key once, and accepted with the same uuid and pk from the same IP.
        let second = try await RendezvousHarness.start(reusing: directory)
        defer { Task { await second.stop() } }
        #expect(try await online(second, [Self.idB]) == [0x00])
        try await b.send(Self.registerPeer(Self.idB), to: second.port)
        #expect(await b.receiveRaw()?.bytes == [0x3a, 0x02, 0x10, 0x01])
        try await b.send(Self.registerPk(Self.idB), to: second.port)
        #expect(await b.receiveRaw()?.bytes == [0x82, 0x01, 0x00])
        try await b.send(Self.registerPeer(Self.idB), to: second.port)
        #expect(await b.receiveRaw()?.bytes == [0x3a, 0x00])
        #expect(try await online(second, [Self.idB]) == [0x80])
        await b.close()
    }

    /// Datagrams are read 64 at a time into 2 KiB slots; a registration with a long uuid (a
    /// machine id can be 100+ bytes) must still fit.
    @Test func aLongRegistrationDatagramIsRead() async throws {
        let harness = try await RendezvousHarness.start()
        defer { Task { await harness.stop() } }
        let b = try await UDPPeer(ip: "127.0.0.3")
        try await b.send(Self.registerPk("223456789", uuid: Array(repeating: 0x41, count: 1500)), to: harness.port)
        #expect(await b.receiveRaw()?.bytes == [0x82, 0x01, 0x00])
        await b.close()
    }

    /// docs/rustdesk-protocol.md#config-update: with a server serial above the client's, a ConfigUpdate follows the answer. A
    /// ConfigUpdate datagram, even from loopback, changes nothing (unlike upstream): the
    /// operator uses `homeport admin config-update`.
    @Test func configUpdateAfterRegistration() async throws {
        let harness = try await RendezvousHarness.start { $0.serial = 5; $0.rendezvousServers = ["a.example"] }
        defer { Task { await harness.stop() } }
        let b = try await UDPPeer(ip: "127.0.0.3")
        try await b.send(Self.registerPeer(Self.idB, serial: 3), to: harness.port)
        #expect(await b.receiveRaw()?.bytes == [0x3a, 0x02, 0x10, 0x01])
        guard case .configureUpdate(let update)? = await b.receive()?.union else { Issue.record("expected ConfigUpdate"); return }
        #expect(update.serial == 5 && update.rendezvousServers == ["a.example"])
        try await b.send(Self.registerPeer(Self.idB, serial: 5), to: harness.port)
        #expect(await b.receiveRaw()?.bytes == [0x3a, 0x02, 0x10, 0x01])
        #expect(await b.receiveRaw(timeout: .milliseconds(300)) == nil, "no ConfigUpdate for an up-to-date client")
        let admin = try await UDPPeer(ip: "127.0.0.1")
        try await admin.send(.with { $0.configureUpdate = .with { $0.serial = 9; $0.rendezvousServers = ["b.example"] } }, to: harness.port)
        try await Task.sleep(for: .milliseconds(200))
        #expect(harness.server.core.serial == 5)
        await b.close()
        await admin.close()
    }

    @Test func registerPkOverTCPIsNotSupported() async throws {
        let harness = try await RendezvousHarness.start()
        defer { Task { await harness.stop() } }
        // 22
        let tcp = try await TCPPeer(port: harness.port)
        try await tcp.send(Self.registerPk(Self.idB))
        #expect(await tcp.receiveRaw() == [0x82, 0x01, 0x02, 0x08, 0x06])
        #expect(await tcp.isClosed())
    }

    // MARK: Brokering

    @Test func punchHoleRequestFailures() async throws {
        let harness = try await RendezvousHarness.start()
        defer { Task { await harness.stop() } }
        let key = try #require(harness.keys.licenceKey)
        // 54: the enforced key is the content of id_ed25519.pub.
        #expect(try String(contentsOfFile: harness.dir.file("id_ed25519.pub"), encoding: .utf8) == key)
        let a = try await TCPPeer(port: harness.port, from: "127.0.0.2")
        // 23: wrong key, even for an unknown id.
        try await a.send(Self.punchHoleRequest("555555555", key: "wrong"))
        #expect(await a.receiveRaw() == [0x5a, 0x02, 0x18, 0x03])
        #expect(!(await a.isClosed(within: .milliseconds(200))), "A's connection stays open")
        // A connection deposits its answer slot once (docs/rustdesk-protocol.md#waiting-connections); a new request that is
        // answered needs a new connection, as the client does.
        try await a.send(Self.punchHoleRequest("555555555", key: key))
        #expect(await a.receiveRaw(timeout: .milliseconds(300)) == nil)
        await a.close()
        // 25: unknown id.
        let a2 = try await TCPPeer(port: harness.port, from: "127.0.0.2")
        try await a2.send(Self.punchHoleRequest("555555555", key: key))
        #expect(await a2.receiveRaw() == [0x5a, 0x00])
        await a2.close()

        // 24: an empty server key accepts any licence key.
        let open = try await RendezvousHarness.start(key: "")
        defer { Task { await open.stop() } }
        let c = try await TCPPeer(port: open.port, from: "127.0.0.2")
        try await c.send(Self.punchHoleRequest("555555555", key: "anything"))
        #expect(await c.receiveRaw() == [0x5a, 0x00])
        await c.close()
    }

    /// With the key enforced ("-") and with no licence check (""): signing works either way.
    @Test(arguments: ["-", ""])
    func directPunchFlow(serverKey: String) async throws {
        let harness = try await RendezvousHarness.start(key: serverKey) { $0.relayServers = ["relay.example:21117"] }
        defer { Task { await harness.stop() } }
        let key = serverKey == "-" ? try #require(harness.keys.licenceKey) : "any key the client has"
        let b = try await Self.onlineB(harness)
        // 27: A asks; B gets PunchHole from port P with A's TCP address, A's NAT type, the relay.
        let a = try await TCPPeer(port: harness.port, from: "127.0.0.2")
        try await a.send(Self.punchHoleRequest(Self.idB, key: key, nat: .asymmetric))
        let datagram = try #require(await b.receiveRaw())
        #expect(datagram.port == harness.port)
        guard case .punchHole(let punch)? = RendezvousCoding.decode(datagram.bytes)?.union else {
            Issue.record("expected PunchHole")
            return
        }
        #expect(AddrMangle.decode(punch.socketAddr) == a.localAddress)
        #expect(punch.natType == .asymmetric)
        #expect(punch.relayServer == "relay.example:21117")
        #expect(await a.receiveRaw(timeout: .milliseconds(300)) == nil, "A hears nothing yet")

        // 30: B answers on a new connection; A gets B's TCP address and B's signed key.
        let bTCP = try await TCPPeer(port: harness.port, from: "127.0.0.3")
        let bAddress = bTCP.localAddress
        try await bTCP.send(.with {
            $0.punchHoleSent = .with {
                $0.socketAddr = punch.socketAddr
                $0.id = Self.idB
                $0.relayServer = "relay.example:21117"
                $0.natType = .asymmetric
                $0.version = "1.4.9"
            }
        })
        #expect(await bTCP.isClosed(), "the server closes B's answer connection")
        #expect(await bTCP.receiveRaw(timeout: .milliseconds(100)) == nil)
        guard case .punchHoleResponse(let response)? = await a.receive()?.union else {
            Issue.record("expected PunchHoleResponse")
            return
        }
        #expect(AddrMangle.decode(response.socketAddr) == bAddress)
        #expect(response.relayServer == "relay.example:21117")
        #expect(response.natType == .asymmetric)
        let opened = try #require(ServerKeyPair.open(Array(response.pk), publicKey: signerKey(harness)))
        #expect(opened == IdPkSigning.serializedIdPk(id: Self.idB, pk: Self.pkB))

        // 34: a second answer for the same A is dropped.
        let late = try await TCPPeer(port: harness.port, from: "127.0.0.3")
        try await late.send(.with { $0.punchHoleSent = .with { $0.socketAddr = punch.socketAddr; $0.id = Self.idB } })
        #expect(await a.receiveRaw(timeout: .milliseconds(300)) == nil)
        #expect(harness.server.stats.value(.undeliverable) >= 1)

        // 31: without a version, no pk.
        let again = try await TCPPeer(port: harness.port, from: "127.0.0.2")
        try await again.send(Self.punchHoleRequest(Self.idB, key: key))
        let second = try #require(await b.receive())
        guard case .punchHole(let punch2) = second.union else { Issue.record("expected PunchHole"); return }
        let bTCP2 = try await TCPPeer(port: harness.port, from: "127.0.0.3")
        try await bTCP2.send(.with { $0.punchHoleSent = .with { $0.socketAddr = punch2.socketAddr; $0.id = Self.idB } })
        guard case .punchHoleResponse(let unsigned)? = await again.receive()?.union else { Issue.record("expected PunchHoleResponse"); return }
        #expect(unsigned.pk.isEmpty)
        for peer in [a, bTCP, late, bTCP2, again] { await peer.close() }
        await b.close()
    }

    @Test func sameLANAndForcedRelay() async throws {
        let harness = try await RendezvousHarness.start { $0.alwaysUseRelay = true }
        defer { Task { await harness.stop() } }
        let key = try #require(harness.keys.licenceKey)
        let b = try await Self.onlineB(harness)
        // 28: same public IP over TCP: FetchLocalAddr (even with ALWAYS_USE_RELAY, as upstream).
        let neighbour = try await TCPPeer(port: harness.port, from: "127.0.0.3")
        try await neighbour.send(Self.punchHoleRequest(Self.idB, key: key))
        guard case .fetchLocalAddr(let fetch)? = await b.receive()?.union else { Issue.record("expected FetchLocalAddr"); return }
        #expect(AddrMangle.decode(fetch.socketAddr) == neighbour.localAddress)
        // 32: B's LocalAddr reaches A with B's LAN address unchanged and is_local.
        let lan = AddrMangle.encode(.ipv4(192, 168, 1, 20, port: 51000), time: 0x1234_5678)
        let bTCP = try await TCPPeer(port: harness.port, from: "127.0.0.3")
        try await bTCP.send(.with {
            $0.localAddr = .with {
                $0.socketAddr = fetch.socketAddr
                $0.localAddr = Data(lan)
                $0.relayServer = "r:21117"
                $0.id = Self.idB
                $0.version = "1.4.9"
            }
        })
        guard case .punchHoleResponse(let response)? = await neighbour.receive()?.union else { Issue.record("expected PunchHoleResponse"); return }
        #expect(Array(response.socketAddr) == lan)
        #expect(response.isLocal)
        #expect(response.relayServer == "r:21117")
        #expect(ServerKeyPair.open(Array(response.pk), publicKey: signerKey(harness)) != nil)
        #expect(await bTCP.isClosed())

        // 29: from another IP, ALWAYS_USE_RELAY makes the PunchHole SYMMETRIC.
        let a = try await TCPPeer(port: harness.port, from: "127.0.0.2")
        try await a.send(Self.punchHoleRequest(Self.idB, key: key, nat: .asymmetric))
        guard case .punchHole(let punch)? = await b.receive()?.union else { Issue.record("expected PunchHole"); return }
        #expect(punch.natType == .symmetric)
        for peer in [neighbour, bTCP, a] { await peer.close() }
        await b.close()
    }

    @Test func relayFlows() async throws {
        let harness = try await RendezvousHarness.start()
        defer { Task { await harness.stop() } }
        let key = try #require(harness.keys.licenceKey)
        let b = try await Self.onlineB(harness)
        let signer = try #require(harness.keys.signer)
        // 33: B-initiated relay: A gets uuid, relay, version and B's signed key, no address, no id.
        let a = try await TCPPeer(port: harness.port, from: "127.0.0.2")
        try await a.send(Self.punchHoleRequest(Self.idB, key: key, nat: .symmetric))
        guard case .punchHole(let punch)? = await b.receive()?.union else { Issue.record("expected PunchHole"); return }
        #expect(punch.natType == .symmetric)
        let bTCP = try await TCPPeer(port: harness.port, from: "127.0.0.3")
        try await bTCP.send(.with {
            $0.relayResponse = .with {
                $0.socketAddr = punch.socketAddr
                $0.uuid = "session-uuid"
                $0.relayServer = "relay.example:21117"
                $0.id = Self.idB
                $0.version = "1.4.9"
            }
        })
        let raw = try #require(await a.receiveRaw())
        guard case .relayResponse(let relayed)? = RendezvousCoding.decode(raw)?.union else { Issue.record("expected RelayResponse"); return }
        #expect(relayed.uuid == "session-uuid")
        #expect(relayed.relayServer == "relay.example:21117")
        #expect(relayed.version == "1.4.9")
        #expect(relayed.socketAddr.isEmpty)
        guard case .pk(let signed)? = relayed.union else { Issue.record("field 5 (pk) expected"); return }
        #expect(ServerKeyPair.open(Array(signed), publicKey: signer.publicKey) == IdPkSigning.serializedIdPk(id: Self.idB, pk: Self.pkB))
        #expect(await bTCP.isClosed())

        // 35: A-initiated RequestRelay on a new connection reaches B over UDP with A's address.
        let a2 = try await TCPPeer(port: harness.port, from: "127.0.0.2")
        try await a2.send(.with { $0.requestRelay = .with { $0.id = Self.idB; $0.uuid = "second"; $0.relayServer = "relay.example:21117"; $0.secure = true } })
        guard case .requestRelay(let forwarded)? = await b.receive()?.union else { Issue.record("expected RequestRelay"); return }
        #expect(forwarded.uuid == "second" && forwarded.secure && forwarded.relayServer == "relay.example:21117")
        #expect(AddrMangle.decode(forwarded.socketAddr) == a2.localAddress)
        // 36: B's answer without id reaches A without address and without pk.
        let bTCP2 = try await TCPPeer(port: harness.port, from: "127.0.0.3")
        try await bTCP2.send(.with { $0.relayResponse = .with { $0.socketAddr = forwarded.socketAddr; $0.version = "1.4.9" } })
        guard case .relayResponse(let plain)? = await a2.receive()?.union else { Issue.record("expected RelayResponse"); return }
        #expect(plain.socketAddr.isEmpty && plain.union == nil && plain.version == "1.4.9")

        // 35: for an id not in memory nothing is sent, and A's connection stays open.
        let a3 = try await TCPPeer(port: harness.port, from: "127.0.0.5")
        try await a3.send(.with { $0.requestRelay = .with { $0.id = "777777777"; $0.uuid = "x" } })
        #expect(await b.receiveRaw(timeout: .milliseconds(300)) == nil)
        #expect(!(await a3.isClosed(within: .milliseconds(200))))
        for peer in [a, bTCP, a2, bTCP2, a3] { await peer.close() }
        await b.close()
    }

    // MARK: Bad input

    @Test func udpIgnoresWhatItMustNotAnswer() async throws {
        let harness = try await RendezvousHarness.start()
        defer { Task { await harness.stop() } }
        let b = try await Self.onlineB(harness)
        let key = harness.keys.licenceKey ?? ""
        // 37: brokering messages over UDP get no datagram (no reflector).
        let stranger = try await UDPPeer(ip: "127.0.0.6")
        try await stranger.send(Self.punchHoleRequest(Self.idB, key: key), to: harness.port)
        try await stranger.send(.with { $0.punchHoleSent = .with { $0.id = Self.idB } }, to: harness.port)
        try await stranger.send(.with { $0.localAddr = .with { $0.id = Self.idB } }, to: harness.port)
        try await stranger.sendRaw([0xff, 0xff, 0xff, 0x01], to: harness.port)
        try await stranger.sendRaw(Array(repeating: 0x0b, count: 3000) + Array(repeating: 0x0c, count: 3000), to: harness.port)
        #expect(await stranger.receiveRaw(timeout: .milliseconds(300)) == nil)
        #expect(await b.receiveRaw(timeout: .milliseconds(100)) == nil)
        #expect(harness.server.stats.value(.udpMalformed) == 2)
        #expect(harness.server.stats.value(.udpIgnored) == 3)
        // …and it still serves registrations.
        try await b.send(Self.registerPeer(Self.idB), to: harness.port)
        #expect(await b.receiveRaw()?.bytes == [0x3a, 0x00])
        await stranger.close()
        await b.close()
    }

    @Test(arguments: [
        ("unparseable", [UInt8]([0x08, 0xff])),
        ("empty frame", []),
        ("unsupported message", RendezvousCoding.encode(.with { $0.hc = .with { $0.token = "t" } })),
        ("nested groups", Array(repeating: 0x0b, count: 3000) + Array(repeating: 0x0c, count: 3000)),
    ])
    func badFramesCloseTheConnection(_ name: String, _ payload: [UInt8]) async throws {
        // 38 and 57.
        let harness = try await RendezvousHarness.start()
        defer { Task { await harness.stop() } }
        for port in [harness.port, harness.port - 1] {
            let tcp = try await TCPPeer(port: port, rawFrames: true)
            try await tcp.sendRaw(try #require(FrameHeader.frame(payload)))
            #expect(await tcp.isClosed(), "\(name) on port \(port)")
        }
        let check = try await TCPPeer(port: harness.port)
        try await check.send(.with { $0.testNatRequest = .with { $0.serial = 3 } })
        #expect(await check.receive() != nil, "the server keeps serving")
    }

    @Test func aFrameAnnouncingGigabytesIsRefused() async throws {
        let harness = try await RendezvousHarness.start()
        defer { Task { await harness.stop() } }
        let tcp = try await TCPPeer(port: harness.port, rawFrames: true)
        try await tcp.sendRaw([0xff, 0xff, 0xff, 0xff, 0x01, 0x02])
        #expect(await tcp.isClosed())
        #expect(harness.server.stats.value(.tcpOversized) == 1)
    }

    @Test func silentConnectionsAreClosed() async throws {
        // 39, with the 30 s idle limit shortened.
        let harness = try await RendezvousHarness.start { $0.idleTimeout = .milliseconds(500) }
        defer { Task { await harness.stop() } }
        let quiet = try await TCPPeer(port: harness.port)
        let quietNAT = try await TCPPeer(port: harness.port - 1)
        #expect(!(await quiet.isClosed(within: .milliseconds(250))))
        #expect(await quiet.isClosed(within: .seconds(3)))
        #expect(await quietNAT.isClosed(within: .seconds(3)))
        #expect(harness.server.stats.value(.tcpIdleClosed) == 2)
    }

    // MARK: NAT test and online status

    @Test func natTestOnBothPorts() async throws {
        let harness = try await RendezvousHarness.start { $0.serial = 5; $0.rendezvousServers = ["hbbs.example"] }
        defer { Task { await harness.stop() } }
        for (port, withConfig) in [(harness.port, true), (harness.port - 1, false)] {
            for serial: Int32 in [3, 5] {
                let tcp = try await TCPPeer(port: port)
                let localPort = tcp.localPort
                try await tcp.send(.with { $0.testNatRequest = .with { $0.serial = serial } })
                guard case .testNatResponse(let response)? = await tcp.receive()?.union else { Issue.record("no TestNatResponse"); continue }
                #expect(Int(response.port) == localPort)
                // 40, 41: cu only on P and only for an older serial.
                #expect(response.hasCu == (withConfig && serial < 5), "port \(port) serial \(serial)")
                if response.hasCu { #expect(response.cu.rendezvousServers == ["hbbs.example"] && response.cu.serial == 5) }
                #expect(await tcp.isClosed())
            }
        }
        // The client library's own check, as the health probe uses it.
        #expect(try await RendezvousClient.natTest(port: harness.port) > 0)
    }

    @Test func onlineQueryBitmap() async throws {
        let harness = try await RendezvousHarness.start()
        defer { Task { await harness.stop() } }
        let b0 = try await Self.onlineB(harness, ip: "127.0.0.3", id: "100000000")
        let b2 = try await Self.onlineB(harness, ip: "127.0.0.4", id: "100000002")
        // 42: ten ids, #0 and #2 online: a0 00; zero ids: c2 01 00; then closed.
        let ids = (0..<10).map { "10000000\($0)" }
        let query = try await TCPPeer(port: harness.port - 1)
        try await query.send(.with { $0.onlineRequest = .with { $0.id = "x"; $0.peers = ids } })
        #expect(await query.receiveRaw() == [0xc2, 0x01, 0x04, 0x0a, 0x02, 0xa0, 0x00])
        #expect(await query.isClosed())
        let empty = try await TCPPeer(port: harness.port - 1)
        try await empty.send(.with { $0.onlineRequest = .with { $0.id = "x" } })
        #expect(await empty.receiveRaw() == [0xc2, 0x01, 0x00])
        // Too many ids: closed without a short bitmap.
        let huge = try await TCPPeer(port: harness.port - 1)
        try await huge.send(.with { $0.onlineRequest = .with { $0.peers = Array(repeating: "1", count: 10_001) } })
        #expect(await huge.receiveRaw() == nil)
        await b0.close()
        await b2.close()
    }
}

@Suite struct RendezvousMemoryTests {
    @Test func longOfflinePersistedPeersLeaveMemoryButNotTheDatabase() async throws {
        let clock = ManualClock()
        let harness = try await RendezvousHarness.start(clock: clock)
        defer { Task { await harness.stop() } }
        let core = harness.server.core
        let b = PeerAddress.ipv4(203, 0, 113, 5, port: 40000)
        await core.registerPk(RendezvousConformanceTests.registerPk("123456789").registerPk, from: b) { _ in }
        await core.registerPk(RendezvousConformanceTests.registerPk("223456789").registerPk, from: b.with(port: 40001)) { _ in }
        clock.advance(milliseconds: 86_400_000 - 1000)
        #expect(core.table.registerPeer(id: "223456789", from: b.with(port: 40001), now: clock.now()) == false)
        clock.advance(milliseconds: 2000)
        #expect(core.table.evictIdle(now: clock.now()) == 1)
        #expect(!core.table.contains("123456789") && core.table.contains("223456789"))
        // It is still known: a punch request finds it in the database (offline).
        #expect(try core.store.lookup(id: "123456789") != nil)
        #expect(core.table.registerPeer(id: "123456789", from: b, now: clock.now()) == true, "asked for its key, as after a restart")
        // The freed slot is reused without disturbing the others.
        await core.registerPk(RendezvousConformanceTests.registerPk("323456789", pk: [UInt8](repeating: 0x44, count: 32)).registerPk, from: b.with(port: 40002)) { _ in }
        #expect(core.table.count == 2)
        #expect(core.table.publicKey("323456789") == [UInt8](repeating: 0x44, count: 32))
        #expect(core.table.entry("223456789")?.socketAddress == b.with(port: 40001))
        #expect(core.table.onlineCount(now: clock.now()) == 2)
    }
}

@Suite struct RelayServerListTests {
    @Test func roundRobinAndParsing() {
        let list = RelayServerList(RelayServerList.parse(" a:1, b ,,c:3 "))
        #expect(list.all == ["a:1", "b", "c:3"])
        #expect((0..<6).map { _ in list.next() } == ["a:1", "b", "c:3", "a:1", "b", "c:3"])
        #expect(RelayServerList([]).next() == "")
        #expect(RelayServerList(["only"]).next() == "only")
        #expect(RelayServerList.split("relay.example") == ("relay.example", 21117))
        #expect(RelayServerList.split("relay.example:30000") == ("relay.example", 30000))
        #expect(RelayServerList.split("[2001:db8::1]:30000") == ("2001:db8::1", 30000))
        #expect(RelayServerList.split("2001:db8::1") == ("2001:db8::1", 21117))
    }

    @Test func healthCheckKeepsOnlyReachableRelaysInRotation() async throws {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        defer { listener.close(promise: nil) }
        let up = "127.0.0.1:\(listener.localAddress?.port ?? 0)"
        // A port nobody listens on.
        let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let down = "127.0.0.1:\(probe.localAddress?.port ?? 0)"
        try await probe.close()
        let list = RelayServerList([down, up])
        await list.checkReachability()
        #expect(list.inRotation == [up])
        #expect(list.next() == up && list.next() == up)
        #expect(list.all == [down, up], "the configured list is kept")
    }
}

@Suite struct PeerEntryLayoutTests {
    /// The memory target (≤ 300 bytes per registered peer) depends on this staying small.
    @Test func entryStaysCompact() {
        #expect(MemoryLayout<PeerEntry>.stride <= 96)
        #expect(MemoryLayout<CompactIP>.stride == 16)
    }

    @Test(arguments: [
        ("127.0.0.3", PeerAddress.ipv4(127, 0, 0, 3, port: 0)),
        ("::ffff:127.0.0.3", PeerAddress.ipv4(127, 0, 0, 3, port: 0)),
        ("2001:db8::1", PeerAddress.ipv6(bytes: [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1], port: 0)!),
    ])
    func storedIPTextMatchesLiveAddresses(_ text: String, _ address: PeerAddress) {
        #expect(CompactIP(text: text) == CompactIP(address))
        #expect(CompactIP(address).address(port: 7) == address.with(port: 7))
    }

    @Test func unparseableStoredIPIsUnknown() {
        #expect(CompactIP(text: "") == .unknown)
        #expect(CompactIP(text: "not an ip") == .unknown)
    }

    @Test func keysOfAnotherLengthAreKeptAndSigned() async throws {
        let harness = try await RendezvousHarness.start()
        defer { Task { await harness.stop() } }
        let core = harness.server.core
        let odd: [UInt8] = Array(repeating: 7, count: 31)
        await core.registerPk(RendezvousConformanceTests.registerPk("123456789", pk: odd).registerPk, from: .ipv4(203, 0, 113, 5, port: 1)) { _ in }
        #expect(core.table.publicKey("123456789") == odd)
        let signed = await core.signedPk(id: "123456789", version: "1")
        #expect(ServerKeyPair.open(signed, publicKey: harness.keys.signer?.publicKey ?? []) == IdPkSigning.serializedIdPk(id: "123456789", pk: odd))
    }
}
