/// An address family of a DNS record.
public enum DDNSFamily: String, Sendable, CaseIterable, Codable, Comparable {
    case ipv4
    case ipv6

    public var recordType: String { self == .ipv4 ? "A" : "AAAA" }

    public static func < (a: DDNSFamily, b: DDNSFamily) -> Bool { a == .ipv4 && b == .ipv6 }
}
