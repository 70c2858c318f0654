import History
import InternetAddress
import NIOCore
import NIOWebSocket
import RustDeskWire
import StatusModel

/// The relay's shared state: connections waiting for their partner (by uuid), running
/// sessions, the global rate limit and the address lists. Confined to the relay's single
/// event loop: pairing moves handlers between two pipelines, which NIO allows only when both
/// run on the loop doing it, and with one loop no lock is needed anywhere.
final class RelayHub: @unchecked Sendable {
    let loop: any EventLoop
    var settings: RelaySettings
    var globalBucket: TokenBucket
    private var waiting: [String: RelayHandshakeHandler] = [:]
    private var waitingPerIP: [String: Int] = [:]
    private var sessions: [ObjectIdentifier: RelaySession] = [:]
    private(set) var counters = RelayCounters()
    private var ticks = 0
    let sources: SourceConnectionLimit
    /// `settings.partialMessageBudget`, shared by every connection carrying messages.
    let partialMessages: ByteBudget
    /// Each listener's last contact from a public address, for `homeport status`.
    let contacts: OutsideContactLog

    init(settings: RelaySettings, loop: any EventLoop, sources: SourceConnectionLimit) {
        self.settings = settings
        self.sources = sources
        self.partialMessages = ByteBudget(capacity: settings.partialMessageBudget)
        self.loop = loop
        self.contacts = OutsideContactLog(serverPort: settings.port, listeners: [.relayTCP, .relayWebSocket])
        self.globalBucket = TokenBucket(bytesPerSecond: settings.totalBandwidth * RelaySettings.megabit / 8, now: NIODeadline.now().uptimeNanoseconds.asInt64)
    }

    // MARK: Accept and handshake

    /// The peer of a just-accepted connection, or nil after closing it: a blocklisted IP is
    /// refused before a byte is read (docs/rustdesk-protocol.md#relay-pairing), and so is a source that already holds
    /// `maximumConnectionsPerSource` connections on R and R+2.
    func admit(_ channel: any Channel) -> PeerAddress? {
        guard let remote = channel.remoteAddress.flatMap(PeerAddress.init) else {
            channel.close(promise: nil)
            return nil
        }
        if isBlocked(remote) {
            refuse(\.refusedBlocklist)
            channel.close(promise: nil)
            return nil
        }
        guard sources.admit(channel, source: remote) else {
            refuse(\.refusedPerSource)
            channel.close(promise: nil)
            return nil
        }
        return remote
    }

    /// Remembers a contact from `source` if it came from outside (the log ignores the rest).
    func noteContact(_ listener: BuiltinListener, _ kind: OutsideContactKind, from source: PeerAddress) {
        contacts.note(listener, kind, from: IPAddress(bytes: source.addressBytes))
    }

    func isBlocked(_ address: PeerAddress) -> Bool {
        settings.blocklist.contains(address.ipText)
    }

    func refuse(_ reason: WritableKeyPath<RelayCounters, Int>) {
        counters[keyPath: reason] += 1
    }

    /// A connection is being closed on `error`: what the client sent was malformed (a broken
    /// WebSocket frame or fragment sequence, a frame over the size limit) is counted; a reset
    /// or a closed socket is not the client's input.
    func closedOnError(_ error: any Error) {
        if error is NIOWebSocketError || error is NIOWebSocketFrameAggregator.Error || error is FrameTooLarge {
            refuse(\.refusedMalformed)
        }
    }

    /// For the WebSocket intake, which runs on this loop like every relay channel.
    func countHandshakeTimeout() { refuse(\.handshakeTimeouts) }
    func countOversized() { refuse(\.refusedOversized) }

    /// A validated RequestRelay: wait for the partner, or pair with the one waiting.
    func arrived(_ handler: RelayHandshakeHandler, uuid: String, from address: PeerAddress) {
        loop.preconditionInEventLoop()
        if let first = waiting.removeValue(forKey: uuid) {
            release(first.address)
            pair(first: first, second: handler)
            return
        }
        let ip = address.ipText
        guard waitingPerIP[ip, default: 0] < settings.maximumWaitingPerIP else {
            counters.refusedTooManyWaiting += 1
            handler.closeChannel()
            return
        }
        waitingPerIP[ip, default: 0] += 1
        waiting[uuid] = handler
        handler.waitForPartner(uuid: uuid)
    }

    /// A waiting connection gave up (timeout or close): remove it only if it is still the one
    /// stored under its uuid (docs/rustdesk-protocol.md#upstream-quirks, quirk 7: never remove a newer one).
    func leftWaiting(_ handler: RelayHandshakeHandler, uuid: String) {
        guard waiting[uuid] === handler else { return }
        waiting[uuid] = nil
        release(handler.address)
    }

    private func release(_ address: PeerAddress) {
        let ip = address.ipText
        waitingPerIP[ip, default: 1] -= 1
        if waitingPerIP[ip] == 0 { waitingPerIP[ip] = nil }
    }

    private func pair(first: RelayHandshakeHandler, second: RelayHandshakeHandler) {
        let blacklisted = settings.blacklist.contains(first.address.ipText) || settings.blacklist.contains(second.address.ipText)
        let rate = (blacklisted ? settings.limitSpeed : settings.singleBandwidth) * RelaySettings.megabit / 8
        let session = RelaySession(first: first.address, second: second.address, rate: rate, blacklisted: blacklisted, now: .now())
        // Two TCP sides: raw bytes (docs/rustdesk-protocol.md#raw-relay-mode). A WebSocket side: whole messages, the TCP side's
        // stream cut into frames and re-framed on the way back (docs/rustdesk-protocol.md#relay-forwarding).
        let messageMode = first.messageMode || second.messageMode
        let firstGlue = RelayGlue(session: session, hub: self, messageMode: messageMode)
        let secondGlue = RelayGlue(session: session, hub: self, messageMode: messageMode)
        firstGlue.partner = secondGlue
        secondGlue.partner = firstGlue
        session.firstSide = firstGlue
        session.secondSide = secondGlue
        guard let firstEarly = first.becomeRelay(firstGlue, framing: messageMode),
              let secondEarly = second.becomeRelay(secondGlue, framing: messageMode) else {
            firstGlue.closeChannel()
            secondGlue.closeChannel()
            first.closeChannel()
            second.closeChannel()
            return
        }
        sessions[ObjectIdentifier(session)] = session
        counters.paired += 1
        // What each side sent after its RequestRelay (B's SignedId, typically) goes first.
        deliver(firstEarly, from: firstGlue, to: secondGlue)
        deliver(secondEarly, from: secondGlue, to: firstGlue)
        // A side whose stream already ended while it waited: its EOF follows its bytes.
        if first.inputEnded { firstGlue.inputEnded() }
        if second.inputEnded { secondGlue.inputEnded() }
        firstGlue.startReading()
        secondGlue.startReading()
    }

    private func deliver(_ early: RelayHandshakeHandler.Early, from source: RelayGlue, to destination: RelayGlue) {
        switch early {
        case .messages(let messages):
            for message in messages where message.readableBytes > 0 {
                _ = source.session.received(message.readableBytes, now: .now(), global: &globalBucket)
                destination.deliverEarly(message)
            }
        case .stream(let bytes):
            if source.messageMode {
                // Through the source's new frame decoder, so it arrives as messages.
                source.injectInbound(bytes)
            } else {
                _ = source.session.received(bytes.readableBytes, now: .now(), global: &globalBucket)
                destination.deliverEarly(bytes)
            }
        }
    }

    func sessionEnded(_ session: RelaySession) {
        if sessions.removeValue(forKey: ObjectIdentifier(session)) != nil {
            counters.bytesRelayed += session.bytes
        }
    }

    // MARK: Once a second

    /// Rates, the block and black lists (for both sides, unlike upstream), the downgrade of
    /// long heavy sessions, and every third second the idle check.
    func tick() {
        ticks += 1
        sources.flush()
        let now = NIODeadline.now()
        for session in sessions.values {
            session.tick()
            if isBlocked(session.first) || isBlocked(session.second) {
                session.close()
                continue
            }
            let blacklisted = settings.blacklist.contains(session.first.ipText) || settings.blacklist.contains(session.second.ipText)
            let elapsed = Double((now - session.started).nanoseconds) / 1e9
            if !session.downgraded, elapsed > settings.downgradeStartCheck {
                let allowed = elapsed * settings.singleBandwidth * RelaySettings.megabit * settings.downgradeThreshold
                if Double(session.bytes) * 8 > allowed { session.downgraded = true }
            }
            if blacklisted != session.blacklisted || session.downgraded {
                session.blacklisted = blacklisted
                let limited = blacklisted || session.downgraded
                session.setRate((limited ? settings.limitSpeed : settings.singleBandwidth) * RelaySettings.megabit / 8, now: now)
            }
            if ticks % 3 == 0, now - session.lastActivity > TimeAmount(settings.idleTimeout) {
                counters.idleClosed += 1
                session.close()
            }
        }
    }

    // MARK: Admin

    var usage: [RelaySessionUsage] {
        let now = NIODeadline.now()
        return sessions.values.map {
            RelaySessionUsage(peer: $0.second.description, seconds: Double((now - $0.started).nanoseconds) / 1e9, bytes: $0.bytes,
                         peakBytesPerSecond: $0.peakRate, currentBytesPerSecond: $0.currentRate)
        }.sorted { $0.bytes > $1.bytes }
    }

    var activeSessions: Int { sessions.count }
    var waitingCount: Int { waiting.count }
    var totalBytes: Int64 { counters.bytesRelayed + sessions.values.reduce(0) { $0 + $1.bytes } }

    func setTotalBandwidth(_ megabits: Double) {
        settings.totalBandwidth = megabits
        globalBucket.setRate(megabits * RelaySettings.megabit / 8, now: NIODeadline.now().uptimeNanoseconds.asInt64)
    }
}
