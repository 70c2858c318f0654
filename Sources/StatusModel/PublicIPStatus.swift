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
    /// Families no source gave a usable address for at the last check (nothing answered, which
    /// is not a disagreement).
    public var unanswered: [IPFamily]

    enum CodingKeys: String, CodingKey {
        case ipv4, ipv6, verdict, disagreements, unanswered
        case ipv4ChangedAt = "ipv4_changed_at"
        case ipv6ChangedAt = "ipv6_changed_at"
        case verdictSummary = "verdict_summary"
        case verdictConsequence = "verdict_consequence"
        case checkedAt = "checked_at"
    }

    public init() {
        disagreements = []
        unanswered = []
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ipv4 = try container.decodeIfPresent(IPAddress.self, forKey: .ipv4)
        ipv4ChangedAt = try container.decodeIfPresent(Date.self, forKey: .ipv4ChangedAt)
        ipv6 = try container.decodeIfPresent(IPAddress.self, forKey: .ipv6)
        ipv6ChangedAt = try container.decodeIfPresent(Date.self, forKey: .ipv6ChangedAt)
        verdict = try container.decodeIfPresent(String.self, forKey: .verdict)
        verdictSummary = try container.decodeIfPresent(String.self, forKey: .verdictSummary)
        verdictConsequence = try container.decodeIfPresent(String.self, forKey: .verdictConsequence)
        checkedAt = try container.decodeIfPresent(Date.self, forKey: .checkedAt)
        disagreements = try container.decode([String].self, forKey: .disagreements)
        // A daemon from before this field existed sends none.
        unanswered = try container.decodeIfPresent([IPFamily].self, forKey: .unanswered) ?? []
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
    /// Set for a configured record the daemon has not tried yet: what it waits for.
    public var waitingFor: DDNSRecordWait?

    enum CodingKeys: String, CodingKey {
        case provider, hostname, family, address, stopped
        case waitingFor = "waiting_for"
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

/// Why a configured DDNS record has no attempt yet.
public enum DDNSRecordWait: String, Sendable, Codable, Equatable {
    /// No public address of the record's family is known (no source has answered yet).
    case address
    /// The address is known; the first round has not reached the record yet.
    case firstAttempt = "first_attempt"
}
