import Foundation
import History

/// The `public_ip` section of `homeport status`: the agreed addresses, when they last
/// changed, and what the NAT verdict says about reaching home from outside.
public struct PublicIPStatus: Sendable, Codable, Equatable {
    public var ipv4: String?
    public var ipv4ChangedAt: Date?
    public var ipv6: String?
    public var ipv6ChangedAt: Date?
    /// `public`, `cgnat`, `double-nat`, `upstream-nat`, `no-router-info`; nil before the first check
    /// or when the daemon is not running.
    public var verdict: String?
    public var verdictSummary: String?
    public var verdictConsequence: String?
    public var checkedAt: Date?
    /// Sources that disagreed at the last check, for example "ipv4: a says X, b says Y".
    public var disagreements: [String]

    enum CodingKeys: String, CodingKey {
        case ipv4, ipv6, verdict, disagreements
        case ipv4ChangedAt = "ipv4_changed_at"
        case ipv6ChangedAt = "ipv6_changed_at"
        case verdictSummary = "verdict_summary"
        case verdictConsequence = "verdict_consequence"
        case checkedAt = "checked_at"
    }

    public init() {
        disagreements = []
    }
}

/// One port the daemon keeps mapped on the router (`[router] map_ports = true`).
public struct PortMappingStatus: Sendable, Codable, Equatable {
    public var service: String
    public var transport: String
    public var internalPort: Int
    public var externalPort: Int?
    public var externalAddress: String?
    /// `upnp`, `natpmp` or `pcp`.
    public var mappedBy: String?
    /// `mapped`, `refused`, `unavailable` or `pending`.
    public var state: String
    public var expiresAt: Date?
    public var reason: String?

    enum CodingKeys: String, CodingKey {
        case service, transport, state, reason
        case internalPort = "internal_port"
        case externalPort = "external_port"
        case externalAddress = "external_address"
        case mappedBy = "mapped_by"
        case expiresAt = "expires_at"
    }

    public init(service: String, transport: String, internalPort: Int, state: String) {
        self.service = service
        self.transport = transport
        self.internalPort = internalPort
        self.state = state
    }
}

/// One DDNS record in `homeport status`: what it was last set to and when it may be tried next.
public struct DDNSRecordStatus: Sendable, Codable, Equatable {
    public var provider: String
    public var hostname: String
    public var family: String
    public var address: String?
    public var setAt: Date?
    /// The provider's last answer, as the history holds it.
    public var lastOutcome: DDNSOutcome?
    public var lastMessage: String?
    public var lastAttemptAt: Date?
    public var nextAttemptAt: Date?
    public var stopped: Bool

    enum CodingKeys: String, CodingKey {
        case provider, hostname, family, address, stopped
        case setAt = "set_at"
        case lastOutcome = "last_outcome"
        case lastMessage = "last_message"
        case lastAttemptAt = "last_attempt_at"
        case nextAttemptAt = "next_attempt_at"
    }

    public init(provider: String, hostname: String, family: String, stopped: Bool = false) {
        self.provider = provider
        self.hostname = hostname
        self.family = family
        self.stopped = stopped
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        provider = try container.decode(String.self, forKey: .provider)
        hostname = try container.decode(String.self, forKey: .hostname)
        family = try container.decode(String.self, forKey: .family)
        address = try container.decodeIfPresent(String.self, forKey: .address)
        setAt = try container.decodeIfPresent(Date.self, forKey: .setAt)
        lastOutcome = try container.decodeIfPresent(String.self, forKey: .lastOutcome).map(DDNSOutcome.init(text:))
        lastMessage = try container.decodeIfPresent(String.self, forKey: .lastMessage)
        lastAttemptAt = try container.decodeIfPresent(Date.self, forKey: .lastAttemptAt)
        nextAttemptAt = try container.decodeIfPresent(Date.self, forKey: .nextAttemptAt)
        stopped = try container.decode(Bool.self, forKey: .stopped)
    }

    /// The outcome as `DDNSOutcome.text`, the spelling of the history and every other JSON field.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(provider, forKey: .provider)
        try container.encode(hostname, forKey: .hostname)
        try container.encode(family, forKey: .family)
        try container.encodeIfPresent(address, forKey: .address)
        try container.encodeIfPresent(setAt, forKey: .setAt)
        try container.encodeIfPresent(lastOutcome?.text, forKey: .lastOutcome)
        try container.encodeIfPresent(lastMessage, forKey: .lastMessage)
        try container.encodeIfPresent(lastAttemptAt, forKey: .lastAttemptAt)
        try container.encodeIfPresent(nextAttemptAt, forKey: .nextAttemptAt)
        try container.encode(stopped, forKey: .stopped)
    }
}
