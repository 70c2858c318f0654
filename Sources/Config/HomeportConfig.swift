/// Everything `homeport.toml` can say. Every field has a default, so an absent file is the
/// same as an empty one: that is what "runs on embedded defaults" means.
public struct HomeportConfig: Sendable, Equatable {
    public var daemon = DaemonSettings()
    public var ip = IPSettings()
    public var router = RouterSettings()
    public var check = CheckSettings()
    public var rendezvous = BuiltinServerSettings(enabled: true, port: 21116)
    public var relay = BuiltinServerSettings(enabled: true, port: 21117)
    public var probe = ProbeServerSettings()
    public var ddns: [DDNSEntry] = []
    public var services: [ServiceDefinition] = []

    /// The file this came from, or nil for the embedded defaults.
    public var sourcePath: String?
    /// Things worth telling the user that do not stop homeport from running.
    public var warnings: [String] = []

    public init() {}

    public static let embeddedDefaults = HomeportConfig()
}
