import NIOCore
import Synchronization

/// The state of one probe's Binding transactions on its one socket: which were sent, which
/// were answered, and what was dropped. Shared by the senders and the receiver.
final class STUNExchange: Sendable {
    struct Target: Sendable {
        let index: Int
        let destination: TransportEndpoint
        let remote: SocketAddress
        let id: STUNTransactionID
    }

    private struct State {
        var outcomes: [Int: STUNServerResult.Outcome] = [:]
        var sent: [Int: Int] = [:]
        var firstSent: [Int: ContinuousClock.Instant] = [:]
        var sendError: [Int: String] = [:]
        var dropped = DroppedDatagrams()
    }

    let targets: [Target]
    private let byID: [STUNTransactionID: Target]
    private let state = Mutex(State())

    init(targets: [Target]) {
        self.targets = targets
        byID = Dictionary(targets.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func isAnswered(_ index: Int) -> Bool {
        state.withLock { $0.outcomes[index] != nil }
    }

    func willSend(_ index: Int, at time: ContinuousClock.Instant) {
        state.withLock { state in
            if state.firstSent[index] == nil { state.firstSent[index] = time }
        }
    }

    func sent(_ index: Int) {
        state.withLock { $0.sent[index, default: 0] += 1 }
    }

    func sendFailed(_ index: Int, _ reason: String) {
        state.withLock { $0.sendError[index] = reason }
    }

    /// Takes one datagram; true once every target has its outcome.
    func take(_ envelope: AddressedEnvelope<ByteBuffer>, localPort: Int?, at time: ContinuousClock.Instant) -> Bool {
        let source = envelope.remoteAddress.endpoint
        let shownSource = source?.description ?? "\(envelope.remoteAddress)"
        let response: STUNResponse
        do {
            response = try STUNMessage.decodeResponse(envelope.data)
        } catch {
            return state.withLock { state in
                state.dropped.malformed += 1
                state.dropped.lastProblem = "from \(shownSource): \(error)"
                return state.outcomes.count == targets.count
            }
        }
        return state.withLock { state in
            guard let target = byID[response.transactionID] else {
                state.dropped.unmatched += 1
                state.dropped.lastProblem = "from \(shownSource): answers no request of this probe"
                return state.outcomes.count == targets.count
            }
            guard source == target.destination else {
                state.dropped.unmatched += 1
                state.dropped.lastProblem = "from \(shownSource): answers the request sent to \(target.destination)"
                return state.outcomes.count == targets.count
            }
            // A retransmitted request may be answered twice; the first answer counts.
            guard state.outcomes[target.index] == nil else { return state.outcomes.count == targets.count }
            switch response.outcome {
            case .mapped(let mapped, let attribute):
                let local = envelope.metadata?.packetInfo?.destinationAddress.ipAddress.flatMap { address in
                    localPort.map { TransportEndpoint(address: address, port: $0) }
                }
                let started = state.firstSent[target.index] ?? time
                state.outcomes[target.index] = .mapped(STUNMapping(
                    mapped: mapped, local: local, attribute: attribute, roundTrip: time - started,
                    requestsSent: max(1, state.sent[target.index] ?? 0), software: response.software))
            case .error(let code, let reason):
                state.outcomes[target.index] = .failed(.errorResponse(code: code, reason: reason))
            }
            return state.outcomes.count == targets.count
        }
    }

    /// Each target's outcome: its answer, or why there is none after `timeout`.
    func outcomes(timeout: Duration) -> [Int: STUNServerResult.Outcome] {
        state.withLock { state in
            var outcomes = state.outcomes
            for target in targets where outcomes[target.index] == nil {
                let sent = state.sent[target.index] ?? 0
                if sent == 0, let reason = state.sendError[target.index] {
                    outcomes[target.index] = .failed(.socket("cannot send to \(target.destination): \(reason)"))
                } else {
                    outcomes[target.index] = .failed(.noAnswer(requests: sent, within: timeout))
                }
            }
            return outcomes
        }
    }

    var dropped: DroppedDatagrams {
        state.withLock { $0.dropped }
    }
}
