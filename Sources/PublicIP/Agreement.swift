import InternetAddress

/// One address and the sources that reported it.
public struct Vote: Sendable, Equatable, Codable {
    public var address: IPAddress
    public var sources: [String]

    public init(address: IPAddress, sources: [String]) {
        self.address = address
        self.sources = sources
    }
}

/// The outcome for one family: an address only when `required` independent sources agree, and
/// otherwise the votes as they are (who said what), never a silent pick.
public struct FamilyAgreement: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case agreed
        /// Sources reported different addresses and none reached the required count.
        case disagreement
        /// Some sources answered with a usable address, but fewer than required.
        case insufficient
        /// No source answered with a usable address: nothing to agree or disagree on.
        case unanswered
        /// Detection for this family is switched off.
        case disabled
    }

    public var family: IPFamily
    public var status: Status
    public var address: IPAddress?
    public var agreeingSources: [String]
    /// Every usable answer grouped by address, most votes first (includes the agreed one).
    public var votes: [Vote]
    public var required: Int
    /// The previous agreed address counted as one vote because a current source confirmed it.
    public var confirmedPrevious: Bool

    public init(family: IPFamily, status: Status, address: IPAddress? = nil, agreeingSources: [String] = [], votes: [Vote] = [],
                required: Int, confirmedPrevious: Bool = false) {
        self.family = family
        self.status = status
        self.address = address
        self.agreeingSources = agreeingSources
        self.votes = votes
        self.required = required
        self.confirmedPrevious = confirmedPrevious
    }

    public static func disabled(_ family: IPFamily) -> FamilyAgreement {
        FamilyAgreement(family: family, status: .disabled, required: 0)
    }

    /// Addresses other than the agreed one, with who reported them.
    public var dissent: [Vote] { votes.filter { $0.address != address } }

    enum CodingKeys: String, CodingKey {
        case family, status, address
        case agreeingSources = "agreeing_sources"
        case votes, required
        case confirmedPrevious = "confirmed_previous"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(family, forKey: .family)
        try container.encode(status, forKey: .status)
        try container.encode(address, forKey: .address)  // null, not absent: scripts read ipv4.address
        try container.encode(agreeingSources, forKey: .agreeingSources)
        try container.encode(votes, forKey: .votes)
        try container.encode(required, forKey: .required)
        try container.encode(confirmedPrevious, forKey: .confirmedPrevious)
    }
}

/// Counting votes.
public enum Agreement {
    /// The label of the pseudo-vote a confirmed previous agreement casts.
    public static let previousVoteName = "previous agreement"

    /// How many agreeing sources a family needs: the configured number, but never more than the
    /// echo sources configured (one configured source means one suffices), and at least 1.
    public static func effectiveRequired(configured: Int, echoSources: Int, localSources: Int) -> Int {
        let available = echoSources > 0 ? echoSources : localSources
        return max(1, min(configured, max(available, 1)))
    }

    /// Evaluates named answers. `previous`, when a current source reports it too, counts as one
    /// more vote (a re-check needs one echo request instead of `required`).
    public static func evaluate(family: IPFamily, answers: [(name: String, answer: SourceAnswer)], required: Int,
                                previous: IPAddress? = nil) -> FamilyAgreement {
        var order: [IPAddress] = []
        var byAddress: [IPAddress: [String]] = [:]
        for (name, answer) in answers {
            guard let address = answer.usableAddress, address.family == family else { continue }
            if byAddress[address] == nil { order.append(address) }
            if !(byAddress[address]?.contains(name) ?? false) { byAddress[address, default: []].append(name) }
        }
        var confirmedPrevious = false
        if let previous, byAddress[previous] != nil {
            byAddress[previous]?.append(previousVoteName)
            confirmedPrevious = true
        }
        // Most votes first; ties keep the order in which answers arrived.
        let votes = order.enumerated()
            .sorted { lhs, rhs in
                let (l, r) = (byAddress[lhs.element]?.count ?? 0, byAddress[rhs.element]?.count ?? 0)
                return l != r ? l > r : lhs.offset < rhs.offset
            }
            .map { Vote(address: $0.element, sources: byAddress[$0.element] ?? []) }
        guard let top = votes.first else {
            return FamilyAgreement(family: family, status: .unanswered, required: required)
        }
        let topIsUnique = votes.count == 1 || votes[1].sources.count < top.sources.count
        if top.sources.count >= required && topIsUnique {
            return FamilyAgreement(family: family, status: .agreed, address: top.address, agreeingSources: top.sources, votes: votes,
                                   required: required, confirmedPrevious: confirmedPrevious && top.address == previous)
        }
        return FamilyAgreement(family: family, status: votes.count > 1 ? .disagreement : .insufficient, votes: votes,
                               required: required, confirmedPrevious: false)
    }
}
