import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a DNS exchange produced no answer.
public enum DNSExchangeError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidServer(String, reason: String)
    /// No matching answer after every attempt.
    case timedOut(server: String, attempts: Int, transport: String)
    /// TCP connection refused, reset, or closed before a whole answer arrived.
    case connectionFailed(server: String, reason: String)
    /// The UDP socket could not be opened or the datagram not sent (no route, no IPv6, …).
    case sendFailed(server: String, reason: String)
    /// A TCP answer that could not be read or belongs to another query.
    case badResponse(server: String, reason: String)
    /// A message too large for its transport.
    case messageTooLarge(Int)

    public var description: String {
        switch self {
        case .invalidServer(let server, let reason):
            return "DNS server '\(server)' is invalid: \(reason)"
        case .timedOut(let server, let attempts, let transport):
            return "no answer from DNS server \(server) over \(transport) after \(attempts) attempt(s)"
        case .connectionFailed(let server, let reason):
            return "DNS server \(server) over TCP: \(reason)"
        case .sendFailed(let server, let reason):
            return "could not send to DNS server \(server) over UDP: \(reason)"
        case .badResponse(let server, let reason):
            return "DNS server \(server) sent a bad answer: \(reason)"
        case .messageTooLarge(let size):
            return "DNS message of \(size) bytes is too large (at most 65535)"
        }
    }
}

extension DNSExchangeError {
    /// A socket error as the system words it ("Network is unreachable"), not NIO's
    /// "sendmsg(descriptor:msgHdr:flags:): … (errno: 101)".
    static func reason(_ error: any Error) -> String {
        guard let io = error as? IOError else { return "\(error)" }
        return String(cString: strerror(io.errnoCode))
    }
}
