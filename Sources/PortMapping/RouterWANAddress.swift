import Foundation
import InternetAddress

/// The WAN address a router reported over one protocol, read once where the router's answer
/// arrives. "Empty" is itself evidence: miniupnpd >= 2.2 answers with an empty (or 0.0.0.0)
/// address when its WAN address is reserved, i.e. behind carrier-grade or double NAT
/// (docs/router-protocols.md#reserved-wan-address).
public enum RouterWANAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    case empty
    case address(IPAddress)
    /// Something that is not an IPv4 address (kept, cut short, for the report).
    case invalid(String)

    /// From an address a binary protocol (NAT-PMP, PCP) carried: 0.0.0.0 means "none".
    public init(_ address: IPAddress) {
        self = address == .ipv4Unspecified ? .empty : .address(address)
    }

    /// From the text a router sent (UPnP's NewExternalIPAddress): blank or 0.0.0.0 is empty.
    public init(reported text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            self = .empty
        } else if let address = IPAddress(trimmed, family: .ipv4) {
            self.init(address)
        } else {
            self = .invalid(String(trimmed.prefix(60)))
        }
    }

    public var address: IPAddress? {
        if case .address(let address) = self { return address }
        return nil
    }

    /// Empty, unreadable or in a range reserved for non-public use: another NAT sits upstream.
    public var showsAnotherNAT: Bool {
        switch self {
        case .empty, .invalid: return true
        case .address(let address): return address.isReservedForNonPublicUse
        }
    }

    /// "" for empty, as the JSON has always said.
    public var description: String {
        switch self {
        case .empty: return ""
        case .address(let address): return address.description
        case .invalid(let text): return text
        }
    }

    public init(from decoder: any Decoder) throws {
        self.init(reported: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
