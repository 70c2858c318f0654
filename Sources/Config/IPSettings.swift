/// `[ip]`: public address detection. The detector itself arrives with the public-IP issue;
/// the section is parsed now so a config written for it is checked, not rejected.
public struct IPSettings: Sendable, Equatable {
    public var enabled = true
    /// How often internet echo services are asked.
    public var interval: Duration = .seconds(300)

    public init() {}

    public static let validKeys = ["enabled", "interval"]
}
