/// How one update attempt for one record ended (spec §0). The daemon's policy keys off this,
/// never off provider-specific strings.
public enum DDNSOutcome: String, Sendable, CaseIterable, Codable {
    case updated
    case nochange
    case authError = "auth_error"
    case hostError = "host_error"
    case retryLater = "retry_later"
    case abuseStop = "abuse_stop"
    case error

    /// Stop outcomes halt updates of the record until its configuration changes (or the user
    /// forces an update); the stop must be persisted across restarts.
    public var isStop: Bool {
        switch self {
        case .authError, .hostError, .abuseStop: return true
        default: return false
        }
    }

    /// The provider confirmed the record holds the address.
    public var isSuccess: Bool { self == .updated || self == .nochange }

    /// Orders outcomes so that a request touching several records reports its worst one.
    var severity: Int {
        switch self {
        case .updated: return 0
        case .nochange: return 1
        case .error: return 2
        case .retryLater: return 3
        case .hostError: return 4
        case .authError: return 5
        case .abuseStop: return 6
        }
    }

    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
