/// The two address families. Detection, DNS records and DDNS records are kept per family;
/// the raw value (`ipv4`, `ipv6`) is the spelling in configuration, JSON and the history.
public enum IPFamily: String, Codable, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    case ipv4
    case ipv6

    /// `IPv4` or `IPv6`, for sentences.
    public var description: String { self == .ipv4 ? "IPv4" : "IPv6" }

    /// The number of bytes of an address of this family.
    public var byteCount: Int { self == .ipv4 ? 4 : 16 }

    /// IPv4 first, as the reports list them.
    public static func < (a: IPFamily, b: IPFamily) -> Bool { a == .ipv4 && b == .ipv6 }
}
