/// The two address families detected separately: each has its own sources, agreement and changes.
public enum IPFamily: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    case ipv4
    case ipv6

    public var description: String { self == .ipv4 ? "IPv4" : "IPv6" }
}
