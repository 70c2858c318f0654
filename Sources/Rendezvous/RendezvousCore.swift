import Foundation
import History
import InternetAddress
import NIOCore
import RustDeskWire
import StatusModel
import Synchronization

/// The rendezvous server's protocol logic (docs/rustdesk-protocol.md), independent of sockets: the listeners
/// hand it decoded messages with their source address and a way to answer.
final class RendezvousCore: Sendable {
    let table: PeerTable
    let waiting = WaitingConnections()
    let stats = RendezvousStats()
    let relays: RelayServerList
    let store: PeerStore
    let writes: PeerWriteQueue
    let licenceKey: String?
    let signer: ServerKeyPair?
    let clock: any MillisecondClock
    /// Wall-clock milliseconds, for what the database keeps across restarts.
    let wallClock: any MillisecondClock
    let unconfirmedIDDays: Int
    let mask: IPv4Mask?
    let localIP: String
    let alwaysUseRelay: Atomic<Bool>
    /// Each listener's last contact from a public address, for `homeport status`.
    let contacts: OutsideContactLog
    private let configUpdate: Mutex<(serial: Int32, servers: [String])>
    private let udp = Mutex<(any UDPSending)?>(nil)

    init(settings: RendezvousSettings, store: PeerStore, licenceKey: String?, signer: ServerKeyPair?, clock: any MillisecondClock,
         wallClock: any MillisecondClock = WallClock()) {
        self.table = PeerTable(newIDsPerMinute: settings.newIDsPerMinute)
        self.store = store
        self.writes = PeerWriteQueue(store: store, wallClock: wallClock)
        self.wallClock = wallClock
        self.unconfirmedIDDays = settings.unconfirmedIDDays
        self.licenceKey = licenceKey
        self.signer = signer
        self.clock = clock
        self.relays = RelayServerList(settings.relayServers)
        self.mask = settings.mask
        self.localIP = settings.localIP ?? ""
        self.alwaysUseRelay = Atomic(settings.alwaysUseRelay)
        self.configUpdate = Mutex((settings.serial, settings.rendezvousServers))
        self.contacts = OutsideContactLog(serverPort: settings.port, listeners: BuiltinListener.allCases.filter { $0.server == .rendezvous })
    }

    /// Remembers a contact from `source` if it came from outside (the log ignores the rest).
    func noteContact(_ listener: BuiltinListener, _ kind: OutsideContactKind, from source: PeerAddress) {
        contacts.note(listener, kind, from: IPAddress(bytes: source.addressBytes))
    }

    func attachUDP(_ sender: any UDPSending) {
        udp.withLock { $0 = sender }
    }

    private func sendUDP(_ message: Hbb_RendezvousMessage, to address: PeerAddress) {
        let sender = udp.withLock { $0 }
        sender?.send(RendezvousCoding.encode(message), to: address)
    }

    var serial: Int32 { configUpdate.withLock { $0.serial } }

    /// The announced serial and servers, as the admin socket shows them.
    var announced: (serial: Int32, servers: [String]) { configUpdate.withLock { ($0.serial, $0.servers) } }

    /// The operator's change (admin socket): any valid serial, lower ones included, so a
    /// mistake can be undone without a restart; 0 announces nothing.
    func announce(serial: Int32, servers: [String]) {
        configUpdate.withLock { $0 = (serial, servers) }
    }

    private var configUpdateMessage: Hbb_ConfigUpdate {
        configUpdate.withLock { current in
            var update = Hbb_ConfigUpdate()
            update.serial = current.serial
            update.rendezvousServers = current.servers
            return update
        }
    }

    // MARK: UDP (docs/rustdesk-protocol.md#register-peer, #config-update)

    /// One datagram on UDP P. `reply` sends from the same socket to the source.
    func handleDatagram(_ bytes: ByteBuffer, from source: PeerAddress, reply: @escaping @Sendable (Hbb_RendezvousMessage) -> Void) {
        guard let message = RendezvousCoding.decode(bytes.readableBytesView) else {
            stats.add(.udpMalformed)
            noteContact(.rendezvousUDP, .datagram, from: source)
            return
        }
        switch message.union {
        case .registerPeer, .registerPk: noteContact(.rendezvousUDP, .registration, from: source)
        default: noteContact(.rendezvousUDP, .datagram, from: source)
        }
        switch message.union {
        case .registerPeer(let request):
            guard !request.id.isEmpty else { return }
            stats.add(.registerPeer)
            var response = Hbb_RegisterPeerResponse()
            let now = clock.now()
            response.requestPk = table.registerPeer(id: request.id, from: source, now: now)
            reply(.with { $0.registerPeerResponse = response })
            if !response.requestPk, table.confirmIfDue(request.id, now: now) {
                let id = request.id
                Task { try? await self.writes.submit(.confirm(id)) }
            }
            let update = configUpdateMessage
            if update.serial > request.serial {
                reply(.with { $0.configureUpdate = update })
            }
        case .registerPk(let request):
            Task { await self.registerPk(request, from: source, reply: reply) }
        case .configureUpdate:
            // rustdesk-server (src/rendezvous_server.rs) applies a ConfigUpdate from any loopback
            // source; on a shared host that is any local user, who could then point every client
            // at another server. homeport takes the change only through the admin socket
            // (`config-update`, mode 0600 in the state directory) and drops it here.
            stats.add(.configUpdateRefused)
        default:
            // PunchHoleRequest, PunchHoleSent, LocalAddr, TestNatRequest… over UDP are ignored
            // so the server can never be used as a reflector (docs/rustdesk-protocol.md#ignored-and-refused-messages).
            stats.add(.udpIgnored)
        }
    }

    // MARK: RegisterPk (docs/rustdesk-protocol.md#register-pk)

    func registerPk(_ request: Hbb_RegisterPk, from source: PeerAddress, reply: @Sendable (Hbb_RendezvousMessage) -> Void) async {
        guard !request.uuid.isEmpty, !request.pk.isEmpty else { return }
        // An over-long id is ignored: UUID_MISMATCH would make the client adopt a random id.
        guard request.id.utf8.count <= 100 else { stats.add(.registerPkRefused); return }
        stats.add(.registerPk)
        func answer(_ result: Hbb_RegisterPkResponse.Result) {
            if result != .ok { stats.add(.registerPkRefused) }
            reply(.with { $0.registerPkResponse = .with { $0.result = result } })
        }
        guard request.id.utf8.count >= 6 else { return answer(.uuidMismatch) }
        let now = clock.now()
        guard table.ipAllows(source: source, id: request.id, now: now) else { return answer(.tooFrequent) }
        // Fail closed: while the database cannot be read, an existing id looks new.
        guard await loadIfNeeded(request.id) else { return answer(.serverError) }
        switch table.registerPk(id: request.id, uuid: Array(request.uuid), pk: Array(request.pk), from: source, now: clock.now()) {
        case .uuidMismatch:
            answer(.uuidMismatch)
        case .tooFrequent:
            answer(.tooFrequent)
        case .tooManyNewIDs:
            stats.add(.newIDRefused)
            answer(.tooFrequent)
        case .ok(let change):
            if let change {
                do {
                    try await writes.submit(change)
                } catch {
                    // More honest than upstream's unconditional OK: the client retries.
                    return answer(.serverError)
                }
            }
            answer(.ok)
        }
    }

    /// Deletes the ids that never came back within `unconfirmedIDDays` of their creation (see
    /// `UnconfirmedPeers`) from the database and memory; returns how many.
    @discardableResult
    func pruneUnconfirmedIDs() async -> Int {
        guard unconfirmedIDDays > 0 else { return 0 }
        let cutoff = wallClock.now() - Int64(unconfirmedIDDays) * UnconfirmedPeers.day
        guard let candidates = try? store.unconfirmedIDs(createdBefore: cutoff), !candidates.isEmpty else { return 0 }
        let now = clock.now()
        let doomed = candidates.filter { table.mayPrune($0, now: now) }
        guard let deleted = try? await store.deleteUnconfirmed(doomed) else { return 0 }
        table.forget(deleted)
        stats.add(.unconfirmedPruned, deleted.count)
        return deleted.count
    }

    /// Memory first, then the database (caching what it finds).
    /// False when the database could not say whether the id exists. Callers must then not treat
    /// the id as unknown: RegisterPk would hand an existing id to a new key.
    @discardableResult
    private func loadIfNeeded(_ id: String) async -> Bool {
        guard !table.contains(id) else { return true }
        do {
            table.load(id, row: try store.lookup(id: id), now: clock.now())
            return true
        } catch {
            stats.add(.peerLookupFailed)
            return false
        }
    }

    // MARK: Brokering (docs/rustdesk-protocol.md#brokering)

    /// A's PunchHoleRequest on its TCP/WebSocket connection.
    func punchHoleRequest(_ request: Hbb_PunchHoleRequest, from a: PeerAddress, viaWebSocket: Bool) async {
        stats.add(.punchHoleRequests)
        func fail(_ failure: Hbb_PunchHoleResponse.Failure) {
            answer(a, .with { $0.punchHoleResponse = .with { $0.failure = failure } })
        }
        if let licenceKey, !licenceKey.isEmpty, request.licenceKey != licenceKey {
            return fail(.licenseMismatch)
        }
        await loadIfNeeded(request.id)
        guard let b = table.entry(request.id) else { return fail(.idNotExist) }
        let now = clock.now()
        guard b.isOnline(now: now) else { return fail(.offline) }
        var relay = relays.next()
        var nat = request.natType
        let aInLAN = isLAN(a), bInLAN = isLAN(b.socketAddress)
        if alwaysUseRelay.load(ordering: .relaxed) || aInLAN != bInLAN {
            nat = .symmetric
            if bInLAN && !aInLAN { relay = localIP }
        }
        let sameIntranet = !viaWebSocket && ((aInLAN && bInLAN) || a.sameIP(as: b.socketAddress))
        let mangled = Data(AddrMangle.encode(a))
        if sameIntranet {
            sendUDP(.with { $0.fetchLocalAddr = .with { $0.socketAddr = mangled; $0.relayServer = relay } }, to: b.socketAddress)
        } else {
            sendUDP(.with {
                $0.punchHole = .with {
                    $0.socketAddr = mangled
                    $0.natType = nat
                    $0.relayServer = relay
                }
            }, to: b.socketAddress)
        }
    }

    /// A's RequestRelay through hbbs: forwarded to B if B is in memory, nothing else.
    func requestRelay(_ request: Hbb_RequestRelay, from a: PeerAddress) {
        stats.add(.relayRequests)
        guard let b = table.entry(request.id) else { return }
        var forwarded = request
        forwarded.socketAddr = Data(AddrMangle.encode(a))
        sendUDP(.with { $0.requestRelay = forwarded }, to: b.socketAddress)
    }

    /// B's PunchHoleSent on a new connection from `b`.
    func punchHoleSent(_ sent: Hbb_PunchHoleSent, from b: PeerAddress) async {
        let a = AddrMangle.decode(sent.socketAddr)
        var response = Hbb_PunchHoleResponse()
        response.socketAddr = Data(AddrMangle.encode(b))
        response.pk = Data(await signedPk(id: sent.id, version: sent.version))
        response.relayServer = sent.relayServer
        response.natType = sent.natType
        answer(a, .with { $0.punchHoleResponse = response })
    }

    /// B's LocalAddr: A gets B's LAN address.
    func localAddr(_ local: Hbb_LocalAddr) async {
        let a = AddrMangle.decode(local.socketAddr)
        var response = Hbb_PunchHoleResponse()
        response.socketAddr = local.localAddr
        response.pk = Data(await signedPk(id: local.id, version: local.version))
        response.relayServer = local.relayServer
        response.isLocal = true
        answer(a, .with { $0.punchHoleResponse = response })
    }

    /// B's RelayResponse, forwarded to A with its id replaced by the signed key.
    func relayResponse(_ relayResponse: Hbb_RelayResponse) async {
        let a = AddrMangle.decode(relayResponse.socketAddr)
        var forwarded = relayResponse
        forwarded.socketAddr = Data()
        if case .id(let id)? = relayResponse.union, !id.isEmpty {
            forwarded.pk = Data(await signedPk(id: id, version: relayResponse.version))
        }
        if !forwarded.relayServer.isEmpty, mask != nil {
            if isLAN(a) {
                forwarded.relayServer = localIP
            } else if forwarded.relayServer == localIP {
                forwarded.relayServer = relays.next()
            }
        }
        answer(a, .with { $0.relayResponse = forwarded })
    }

    /// Delivers a response through A's waiting connection, if it is still there.
    private func answer(_ a: PeerAddress, _ message: Hbb_RendezvousMessage) {
        guard let waiter = waiting.take(a) else {
            stats.add(.undeliverable)
            return
        }
        waiter.send(RendezvousCoding.encode(message))
    }

    // MARK: NAT test and online status (docs/rustdesk-protocol.md#nat-test, #online-status)

    func testNatResponse(_ request: Hbb_TestNatRequest, sourcePort: Int, includeConfig: Bool) -> Hbb_RendezvousMessage {
        var response = Hbb_TestNatResponse()
        response.port = Int32(sourcePort)
        let update = configUpdateMessage
        if includeConfig, update.serial > request.serial { response.cu = update }
        return .with { $0.testNatResponse = response }
    }

    static let maximumOnlineQuery = 10_000

    /// nil when the query is too large: the connection is closed without an answer, never with
    /// a bitmap shorter than the client will index.
    func onlineResponse(_ request: Hbb_OnlineRequest) -> Hbb_RendezvousMessage? {
        guard request.peers.count <= Self.maximumOnlineQuery else { return nil }
        var states = [UInt8](repeating: 0, count: (request.peers.count + 7) / 8)
        let now = clock.now()
        for (index, id) in request.peers.enumerated() where table.isOnline(id, now: now) {
            states[index / 8] |= UInt8(0x80) >> UInt8(index % 8)
        }
        return .with { $0.onlineResponse = .with { $0.states = Data(states) } }
    }

    // MARK: Signing (docs/rustdesk-protocol.md#signing)

    func signedPk(id: String, version: String) async -> [UInt8] {
        guard !version.isEmpty, let signer else { return [] }
        await loadIfNeeded(id)
        guard let pk = table.publicKey(id) else { return [] }
        return IdPkSigning.signedIdPk(id: id, pk: pk, with: signer)
    }

    // MARK: LAN mask (docs/rustdesk-protocol.md#forced-relay-and-lan-mask)

    func isLAN(_ address: PeerAddress) -> Bool {
        guard let mask, let value = address.ipv4Value else { return false }
        return mask.contains(value)
    }
}

/// Sends datagrams from the UDP P socket (so B's NAT lets them in).
protocol UDPSending: Sendable {
    func send(_ bytes: [UInt8], to address: PeerAddress)
}
