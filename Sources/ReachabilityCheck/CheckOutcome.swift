/// How one check came out, from the point of view of a RustDesk client on the internet.
public enum CheckOutcome: String, Sendable, Codable, Comparable, CaseIterable {
    /// Verified: nothing here stops outside clients.
    case pass
    /// Something that works but deserves attention (a record that changes, an address that is
    /// not stable, a fact that could only be seen from inside).
    case warning
    /// Could not be verified (no probe, not permitted, timed out). Not a failure, not a pass.
    case unknown
    /// Blocks outside clients, or a part of the setup is broken.
    case fail

    /// The mark printed at the start of the check's line.
    public var mark: String {
        switch self {
        case .pass: "✔"
        case .warning: "!"
        case .unknown: "?"
        case .fail: "✘"
        }
    }

    private var severity: Int {
        switch self {
        case .pass: 0
        case .warning: 1
        case .unknown: 2
        case .fail: 3
        }
    }

    public static func < (lhs: CheckOutcome, rhs: CheckOutcome) -> Bool { lhs.severity < rhs.severity }
}
