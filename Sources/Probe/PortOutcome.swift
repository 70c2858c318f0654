/// What the probe found on one port.
public enum PortOutcome: String, Codable, Sendable, Equatable {
    /// homeport's server answered with the expected protocol message (a bare connect for
    /// `tcp_connect`).
    case open
    /// Refused (TCP RST), or an ICMP unreachable (a UDP port nobody listens on, a host or
    /// network the last router cannot reach).
    case closed
    /// No answer at all within the timeout: a firewall dropped the packets.
    case filtered
    /// Something else answered: another program, or the router's own web page on a forwarded port.
    case other
}
