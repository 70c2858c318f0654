import NIOCore
import RustDeskWire

/// `nat_test`: a TestNatRequest in one RustDesk frame; open when a TestNatResponse comes back
/// (docs/rustdesk-protocol.md#nat-test). Anything else that answers is `other`.
enum NATTestCheck {
    /// A TestNatResponse is a few bytes; anything longer is not one.
    static let maximumAnswer = 4096

    static func run(_ target: ProbeTarget) async -> PortFinding {
        let start = ContinuousClock.now
        let connection: ProbeConnection<ByteBuffer, ByteBuffer>
        switch await ProbeConnection<ByteBuffer, ByteBuffer>.open(target, startedAt: start) {
        case .connected(let opened): connection = opened
        case .failed(let finding): return finding
        }
        let localPort = connection.channel.channel.localAddress?.port
        do {
            return try await connection.exchange { inbound, outbound in
                var request = Hbb_RendezvousMessage()
                request.testNatRequest = .with { $0.serial = 0 }
                var frame = ByteBuffer()
                try FrameEncoder().encode(data: ByteBuffer(bytes: RendezvousCoding.encode(request)), out: &frame)
                try await outbound.write(frame)
                var received = ByteBuffer()
                for try await chunk in inbound {
                    received.writeImmutableBuffer(chunk)
                    if let finding = judge(received, localPort: localPort, start: start) { return finding }
                }
                if received.readableBytes > 0 {
                    return PortFinding(.other, start.millisecondsElapsed,
                                       "answered \"\(AnswerPreview.text(received.readableBytesView))\", not a RustDesk TestNatResponse")
                }
                if connection.timedOut {
                    return PortFinding(.other, nil, "accepted the connection but sent nothing within \(target.timeoutText): not a RustDesk server")
                }
                return PortFinding(.other, start.millisecondsElapsed, "accepted the connection and closed it without answering: not a RustDesk server")
            }
        } catch {
            return PortFinding(.other, start.millisecondsElapsed, "accepted the connection, then failed: \(error)")
        }
    }

    /// The finding once `received` decides it, or nil while a frame is still incomplete.
    private static func judge(_ received: ByteBuffer, localPort: Int?, start: ContinuousClock.Instant) -> PortFinding? {
        var buffer = received
        let payload: ByteBuffer?
        do {
            payload = try FrameDecoder(maximumPayload: maximumAnswer).nextFrame(from: &buffer)
        } catch {
            return PortFinding(.other, start.millisecondsElapsed,
                               "answered \"\(AnswerPreview.text(received.readableBytesView))\", not a RustDesk frame")
        }
        guard let payload else {
            return received.readableBytes > maximumAnswer
                ? PortFinding(.other, start.millisecondsElapsed, "answered \"\(AnswerPreview.text(received.readableBytesView))\", not a RustDesk frame")
                : nil
        }
        guard case .testNatResponse(let response)? = RendezvousCoding.decode(payload.readableBytesView)?.union else {
            return PortFinding(.other, start.millisecondsElapsed,
                               "answered \"\(AnswerPreview.text(received.readableBytesView))\", not a RustDesk TestNatResponse")
        }
        let seen = Int(response.port)
        let note = seen == localPort ? "" : " (it saw port \(seen), we used \(localPort.map(String.init) ?? "?"))"
        return PortFinding(.open, start.millisecondsElapsed, "the RustDesk server answered TestNatResponse\(note)")
    }
}
