import History
import InternetAddress

/// A provider as described by its file under providers/ (after `based_on` is applied).
public struct ProviderDefinition: Sendable {
    /// The provider id: the file name without `.toml`.
    public var name: String
    public var displayName: String
    public var documentation: String
    /// `template` (the engine runs `steps`), or the name of a Swift adapter (`route53`, `rfc2136`).
    public var kind: String
    public var families: [IPFamily]
    /// Default scheme://host[:port][/prefix]; nil when the user must give `server`.
    public var baseURL: String?
    /// A different default base for IPv6 requests (nsupdate.info, Variomedia, FreeDNS v2).
    public var baseURLIPv6: String?
    /// `per_family`: one run of the steps per address family; `dual_stack`: one run for both.
    public var requests: RequestMode
    public var settings: [ProviderSetting]
    var steps: [ProviderStep]
    /// Rules tried after a step's own rules, for every step.
    var rules: [ResponseRule]
    public var defaultTTL: Int?
    /// Not sooner than this between two updates of the same record (provider's rule).
    public var minInterval: Duration?
    /// Re-send an unchanged address after this long so the provider does not expire the host.
    public var refreshInterval: Duration?
    /// The file it was read from, for messages.
    public var file: String
    /// The shared template it builds on (`_dyndns2`): dyndns2-family `nochange` answers should
    /// be logged as warnings, because repeated `nochg` counts as abuse there.
    public var basedOn: String?

    public enum RequestMode: String, Sendable, CaseIterable {
        case perFamily = "per_family"
        case dualStack = "dual_stack"
    }

    public func setting(_ name: String) -> ProviderSetting? { settings.first { $0.name == name } }
}

public struct ProviderSetting: Sendable, Equatable {
    public var name: String
    public var required: Bool
    public var secret: Bool
    public var defaultValue: String?
    public var description: String
    public var example: String?
}

struct ProviderStep: Sendable {
    var name: String
    var method: String
    /// A path appended to the base URL, or with `url`, a whole URL template.
    var path: String?
    var url: String?
    var query: [(String, Template)]
    var headers: [(String, Template)]
    var auth: Auth?
    var body: Body?
    var captures: [(String, JSONPath)]
    var rules: [ResponseRule]
    /// What an unmatched 2xx answer means: an outcome, or nil to go on with the next step.
    var successOutcome: DDNSOutcome?
    /// Placeholders that must have a value, or the update stops before sending (INWX would
    /// otherwise set A to 127.0.0.1 when an IPv6 update comes without the IPv4 address).
    var required: [String] = []
    /// Where `section` names this step in its file, for messages.
    var section: String

    enum Auth: Sendable {
        case basic(user: Template, password: Template)
        case bearer(Template)
        /// Tencent Cloud API 3.0 signature (TC3-HMAC-SHA256) over content-type, host and body.
        case tc3(secretID: Template, secretKey: Template, service: String)
    }

    enum Body: Sendable {
        case form([(String, Template)])
        case json(TOMLNode)
        case raw(Template, contentType: String)
    }
}

/// A classification rule: every condition given must hold; then the rule either ends the
/// update with an outcome or continues at a named step.
struct ResponseRule: Sendable {
    var status: [StatusPattern] = []
    var bodyPrefix: String?
    var bodyContains: String?
    var bodyEquals: String?
    var bodyRegex: String?
    var bodyEmpty: Bool?
    var jsonPath: JSONPath?
    var jsonEquals: Template?
    var jsonExists: Bool?
    var jsonContains: Template?
    var outcome: DDNSOutcome?
    var then: String?
    var retryAfter: Duration?
    var message: String?

    enum StatusPattern: Sendable, Equatable {
        case exact(Int)
        case range(Int, Int)

        func matches(_ status: Int) -> Bool {
            switch self {
            case .exact(let code): return status == code
            case .range(let low, let high): return (low...high).contains(status)
            }
        }
    }
}
