import Config
import Foundation
import History
import InternetAddress

/// One record set to update: a hostname with the address(es) to publish and the provider
/// settings from the `[[ddns]]` entry (secrets still unresolved).
public struct DDNSUpdateRequest: Sendable {
    public var hostname: String
    public var ipv4: IPAddress?
    public var ipv6: IPAddress?
    public var ttl: Int?
    /// The entry's provider settings. `server` (base URL override) is always accepted.
    public var settings: [String: SettingValue]
    /// Where `env:` secrets are looked up.
    public var environment: [String: String]

    public init(hostname: String, ipv4: IPAddress? = nil, ipv6: IPAddress? = nil, ttl: Int? = nil,
                settings: [String: SettingValue] = [:], environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.hostname = hostname
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.ttl = ttl
        self.settings = settings
        self.environment = environment
    }

    func address(_ family: IPFamily) -> IPAddress? { family == .ipv4 ? ipv4 : ipv6 }
}

/// The outcome for one address family of one hostname.
public struct DDNSRecordResult: Sendable, Equatable {
    public var family: IPFamily
    public var outcome: DDNSOutcome
    /// What the provider said, secrets scrubbed, at most a few hundred characters.
    public var message: String
    /// Do not try this record again sooner than this (Retry-After, or the provider's documented
    /// minimum such as 30 minutes after dyndns2 `911`). Nil: the policy's own back-off applies.
    public var retryAfter: Duration?

    public init(family: IPFamily, outcome: DDNSOutcome, message: String, retryAfter: Duration? = nil) {
        self.family = family
        self.outcome = outcome
        self.message = message
        self.retryAfter = retryAfter
    }
}

/// The result of one `update`: one record result per family that was requested.
public struct DDNSUpdateResult: Sendable, Equatable {
    public var records: [DDNSRecordResult]

    public init(records: [DDNSRecordResult]) { self.records = records }

    /// A single result for every requested family (configuration problems, transport failures).
    public static func all(_ request: DDNSUpdateRequest, _ outcome: DDNSOutcome, _ message: String, retryAfter: Duration? = nil) -> DDNSUpdateResult {
        let families = IPFamily.allCases.filter { request.address($0) != nil }
        return DDNSUpdateResult(records: (families.isEmpty ? [.ipv4] : families).map {
            DDNSRecordResult(family: $0, outcome: outcome, message: message, retryAfter: retryAfter)
        })
    }

    /// The worst outcome among the records.
    public var outcome: DDNSOutcome {
        records.map(\.outcome).max { $0.severity < $1.severity } ?? .error
    }

    /// The messages of the records, joined.
    public var message: String {
        records.count == 1 ? records[0].message : records.map { "\($0.family.rawValue): \($0.message)" }.joined(separator: "; ")
    }

    /// The longest retry hint among the records.
    public var retryAfter: Duration? { records.compactMap(\.retryAfter).max() }
}

/// Anything that can update a DNS record at a provider: the template engine for provider
/// files, or a Swift adapter (AWS Route 53, RFC 2136) for protocols a template cannot express.
/// An adapter never throws: every failure is classified into an outcome.
public protocol DDNSAdapter: Sendable {
    func update(_ request: DDNSUpdateRequest) async -> DDNSUpdateResult
}
