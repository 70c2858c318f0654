/// `[rendezvous]` and `[relay]`: the built-in RustDesk-compatible servers that the daemon runs
/// as children of the same binary (`homeport rendezvous`, `homeport relay`).
public struct BuiltinServerSettings: Sendable, Equatable {
    public var enabled: Bool
    public var port: Int

    public init(enabled: Bool, port: Int) {
        self.enabled = enabled
        self.port = port
    }

    public static let validKeys = ["enabled", "port"]
}
