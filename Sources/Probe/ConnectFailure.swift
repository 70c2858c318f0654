import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a failed connect, or an error on a connected socket, says about a port.
enum ConnectFailure {
    static func outcome(of error: any Error, transport: PortTransport, target: ProbeTarget,
                        startedAt start: ContinuousClock.Instant) -> PortFinding {
        if let error = error as? ChannelError, case .connectTimeout = error {
            return PortFinding(.filtered, nil, "no answer to the connection attempt within \(target.timeoutText)")
        }
        guard let error = error as? IOError else {
            return PortFinding(.filtered, nil, "the check failed: \(error)")
        }
        switch error.errnoCode {
        case ECONNREFUSED where transport == .udp:
            // Linux reports an ICMP port unreachable as ECONNREFUSED on a connected UDP socket (udp(7)).
            return PortFinding(.closed, start.millisecondsElapsed, "ICMP port unreachable: nothing listens on this UDP port")
        case ECONNREFUSED:
            return PortFinding(.closed, start.millisecondsElapsed, "connection refused: nothing listens on this port, or a firewall rejects it")
        case EHOSTUNREACH, ENETUNREACH:
            return PortFinding(.closed, start.millisecondsElapsed, "ICMP unreachable: a router on the way says this address cannot be reached")
        case ETIMEDOUT:
            return PortFinding(.filtered, nil, "no answer to the connection attempt within \(target.timeoutText)")
        default:
            return PortFinding(.closed, start.millisecondsElapsed, "the connection failed: \(String(cString: strerror(error.errnoCode)))")
        }
    }
}

/// A port's result before the port and check are attached.
struct PortFinding: Sendable, Equatable {
    var outcome: PortOutcome
    var latencyMilliseconds: Double?
    var detail: String

    init(_ outcome: PortOutcome, _ latencyMilliseconds: Double?, _ detail: String) {
        self.outcome = outcome
        self.latencyMilliseconds = latencyMilliseconds
        self.detail = detail
    }
}
