/// macOS's application firewall (`/usr/libexec/ApplicationFirewall/socketfilterfw`). It
/// allows or blocks incoming connections per program, not per port. The parser is
/// platform-independent; running socketfilterfw is NOT tested here (no macOS in this project's
/// CI).
public enum ApplicationFirewall {
    static let tool = "/usr/libexec/ApplicationFirewall/socketfilterfw"

    /// From `--getglobalstate` ("Firewall is enabled. (State = 1)") and `--getblockall`
    /// ("Firewall is set to block all non-essential incoming connections" / "Block all DISABLED!").
    static func decision(globalState: String, blockAll: String, executable: String) -> FirewallDecision {
        let state = globalState.lowercased()
        if state.contains("disabled") || state.contains("state = 0") { return .noFirewall }
        guard state.contains("enabled") || state.contains("state = 1") || state.contains("state = 2") else {
            return .couldNotInspect("socketfilterfw --getglobalstate said: \(globalState)")
        }
        if blockAll.lowercased().contains("block all non-essential") && !blockAll.lowercased().contains("disabled") {
            return .dropped(by: "the application firewall's \"Block all incoming connections\"", chain: "application firewall",
                            fix: "sudo \(tool) --setblockall off")
        }
        return .uncertain(rules: ["the application firewall is on: it lets in or blocks each program, not ports"],
                          otherwise: "to let homeport in: sudo \(tool) --add \(executable) && sudo \(tool) --unblockapp \(executable)")
    }

    #if os(macOS)
    /// Untested here (see above). `executable`: homeport's path, for the fix.
    public static func inspect(executable: String, runner: HostCommandRunner = HostCommandRunner()) async -> FirewallDecision {
        do {
            let state = try await runner.run(tool, ["--getglobalstate"])
            let blockAll = try await runner.run(tool, ["--getblockall"])
            return decision(globalState: state.stdout, blockAll: blockAll.stdout, executable: executable)
        } catch {
            return .couldNotInspect("\(error)")
        }
    }
    #endif
}
