import NIOCore
import NIOPosix

/// An answer and how it was obtained.
public struct DNSExchangeResult: Sendable {
    public enum Transport: String, Sendable { case udp, tcp }

    public let message: DNSMessage
    /// The answer's bytes as received (TSIG verification needs them).
    public let bytes: [UInt8]
    public let transport: Transport
    /// UDP datagrams dropped because they came from another address, did not decode, or
    /// answered another query.
    public let droppedResponses: Int
}

/// Sends one DNS message to one server and waits for its answer: over UDP with retransmission,
/// switching to TCP when the answer is truncated; or over TCP only.
public struct DNSExchange: Sendable {
    public enum TransportMode: Sendable { case udpThenTCP, tcpOnly }

    /// How long to wait for each UDP attempt, and for the whole TCP exchange.
    public var timeout: Duration
    /// UDP sends (the same message each time) before giving up.
    public var attempts: Int
    public var mode: TransportMode

    public init(timeout: Duration = .seconds(2), attempts: Int = 3, mode: TransportMode = .udpThenTCP) {
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.mode = mode
    }

    /// Sends `message` and returns the matching answer (not TSIG-checked).
    public func send(_ message: DNSMessage, to server: DNSServer) async throws -> DNSExchangeResult {
        try await send(bytes: message.encode(), id: message.id, question: message.questions.first, to: server)
    }

    /// Sends a TSIG-signed message; the caller verifies the answer with `TSIG.verifyResponse`.
    public func send(_ signed: TSIGSignedMessage, question: DNSQuestion?, to server: DNSServer) async throws -> DNSExchangeResult {
        try await send(bytes: signed.bytes, id: signed.id, question: question, to: server)
    }

    /// Sends already-encoded bytes; answers must carry `id` and (if given) `question`.
    public func send(bytes: [UInt8], id: UInt16, question: DNSQuestion?, to server: DNSServer) async throws -> DNSExchangeResult {
        guard bytes.count <= 0xFFFF else { throw DNSExchangeError.messageTooLarge(bytes.count) }
        let matcher = DNSResponseMatcher(id: id, question: question)
        if mode == .udpThenTCP, bytes.count <= 512 {
            let udp = try await sendUDP(bytes, matcher: matcher, server: server)
            guard udp.message.isTruncated else { return udp }
            let tcp = try await sendTCP(bytes, matcher: matcher, server: server)
            return DNSExchangeResult(message: tcp.message, bytes: tcp.bytes, transport: .tcp,
                                     droppedResponses: udp.droppedResponses)
        }
        return try await sendTCP(bytes, matcher: matcher, server: server)
    }

    // MARK: UDP

    private func sendUDP(_ bytes: [UInt8], matcher: DNSResponseMatcher, server: DNSServer) async throws -> DNSExchangeResult {
        let remote = try server.socketAddress()
        let slot = DNSResponseSlot()
        let channel: any Channel
        do {
            channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(DNSDatagramHandler(server: remote, matcher: matcher, slot: slot))
                    }
                }
                .bind(host: server.address.family == .ipv4 ? "0.0.0.0" : "::", port: 0)
                .get()
        } catch {
            throw DNSExchangeError.sendFailed(server: server.description, reason: DNSExchangeError.reason(error))
        }
        defer { channel.close(promise: nil) }
        let payload = ByteBuffer(bytes: bytes)
        for _ in 0..<attempts {
            let promise = channel.eventLoop.makePromise(of: DNSReceivedAnswer.self)
            slot.arm(promise)
            do {
                try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: payload)).get()
            } catch {
                // The armed promise must be completed, or NIO reports it leaked (fatal in debug).
                let failure = DNSExchangeError.sendFailed(server: server.description, reason: DNSExchangeError.reason(error))
                slot.failForever(failure)
                throw failure
            }
            let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
                slot.failWaiting(AttemptTimedOut())
            }
            do {
                let answer = try await withTaskCancellationHandler {
                    try await promise.futureResult.get()
                } onCancel: {
                    slot.failForever(CancellationError())
                }
                timer.cancel()
                return DNSExchangeResult(message: answer.message, bytes: answer.bytes, transport: .udp,
                                         droppedResponses: slot.mismatches)
            } catch is AttemptTimedOut {
                continue
            }
        }
        throw DNSExchangeError.timedOut(server: server.description, attempts: attempts, transport: "UDP")
    }

    private struct AttemptTimedOut: Error {}

    // MARK: TCP

    private func sendTCP(_ bytes: [UInt8], matcher: DNSResponseMatcher, server: DNSServer) async throws -> DNSExchangeResult {
        let remote = try server.socketAddress()
        let slot = DNSResponseSlot()
        let name = server.description
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(TimeAmount(timeout))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(DNSStreamHandler(server: name, slot: slot))
                    }
                }
                .connect(to: remote)
                .get()
        } catch {
            throw DNSExchangeError.connectionFailed(server: name, reason: "\(error)")
        }
        defer { channel.close(promise: nil) }
        var payload = ByteBuffer()
        payload.writeInteger(UInt16(bytes.count))
        payload.writeBytes(bytes)
        let promise = channel.eventLoop.makePromise(of: DNSReceivedAnswer.self)
        slot.arm(promise)
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            slot.failForever(DNSExchangeError.timedOut(server: name, attempts: 1, transport: "TCP"))
        }
        defer { timer.cancel() }
        do {
            try await channel.writeAndFlush(payload).get()
        } catch {
            let failure = DNSExchangeError.sendFailed(server: name, reason: DNSExchangeError.reason(error))
            slot.failForever(failure)
            throw failure
        }
        let answer = try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            slot.failForever(CancellationError())
        }
        guard matcher.matches(answer.message) else {
            throw DNSExchangeError.badResponse(server: name, reason: "the answer has ID \(answer.message.id) or a question that does not match the query")
        }
        return DNSExchangeResult(message: answer.message, bytes: answer.bytes, transport: .tcp, droppedResponses: 0)
    }
}

