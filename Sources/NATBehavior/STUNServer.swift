/// A STUN server to ask: a DNS name or an IP literal (IPv6 without brackets), and a port.
public struct STUNServer: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    /// The port when none is given (RFC 8489 section 18.6).
    public static let defaultPort = 3478

    public init(host: String, port: Int = STUNServer.defaultPort) {
        self.host = host
        self.port = port
    }

    /// `host:port`, an IPv6 literal in brackets.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
