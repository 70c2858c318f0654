import Foundation

/// Everything `homeport check` found, and what it means for outside clients.
public struct CheckReport: Sendable, Codable, Equatable {
    /// Schema version of the JSON form (docs/check.md); raised on incompatible changes.
    public var schema = 1
    public var checkedAt: Date
    public var findings: [CheckFinding]

    enum CodingKeys: String, CodingKey {
        case schema, findings
        case checkedAt = "checked_at"
        case conclusion
        case exitCode = "exit_code"
    }

    public init(checkedAt: Date, findings: [CheckFinding]) {
        self.checkedAt = checkedAt
        self.findings = findings
    }

    /// The one-line answer to "can a client out on the internet reach my server?".
    public enum Conclusion: String, Sendable, Codable {
        /// Every enabled server port was seen open from outside (probe or passive evidence),
        /// and nothing failed.
        case reachable
        /// At least one check failed: something blocks outside clients.
        case blocked
        /// Nothing failed, but the outside could not be checked (no probe, no evidence, offline).
        case unverified
    }

    public var conclusion: Conclusion {
        if findings.contains(where: { $0.outcome == .fail }) { return .blocked }
        let outside = findings.filter { $0.topic == .outside }
        if outside.isEmpty || outside.contains(where: { $0.outcome != .pass }) { return .unverified }
        return .reachable
    }

    /// 0: outside clients can connect to every enabled server; 1: something blocks them;
    /// 2: the checks could not establish it (the outside was not checked, or nothing ran).
    public var exitCode: Int32 {
        switch conclusion {
        case .reachable: 0
        case .blocked: 1
        case .unverified: 2
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schema, forKey: .schema)
        try container.encode(checkedAt, forKey: .checkedAt)
        try container.encode(findings, forKey: .findings)
        try container.encode(conclusion, forKey: .conclusion)
        try container.encode(exitCode, forKey: .exitCode)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schema = try container.decode(Int.self, forKey: .schema)
        checkedAt = try container.decode(Date.self, forKey: .checkedAt)
        findings = try container.decode([CheckFinding].self, forKey: .findings)
    }
}
