import Foundation
import History
import InternetAddress

/// The `public_ip` section of `homeport status`: the agreed addresses, when they last
/// changed, and what the NAT verdict says about reaching home from outside.
public struct PublicIPStatus: Sendable, Codable, Equatable {
    public var ipv4: IPAddress?
    public var ipv4ChangedAt: Date?
    public var ipv6: IPAddress?
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
    public var externalAddress: IPAddress?
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
    public var family: IPFamily
    public var address: IPAddress?
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

    public init(provider: String, hostname: String, family: IPFamily, stopped: Bool = false) {
        self.provider = provider
        self.hostname = hostname
        self.family = family
        self.stopped = stopped
    }
}
