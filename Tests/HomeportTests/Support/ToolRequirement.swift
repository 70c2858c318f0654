import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What a suite needs from the machine (root, installed programs) and whether it runs.
///
/// Without what it needs a suite is skipped, except with HOMEPORT_LAB_REQUIRED=1 (set by CI,
/// whose image installs every tool): then it runs and its first test fails naming what is
/// missing, so an image that lost a package cannot pass by skipping.
struct ToolRequirement: Sendable {
    /// Programs by absolute path (where the test runs that exact file) or by name (looked up
    /// in PATH and the usual sbin/bin directories).
    var programs: [String]
    var needsRoot: Bool
    var apt: String

    static let named = ToolRequirement(programs: ["/usr/sbin/named"], needsRoot: true, apt: "bind9")
    static let miniupnpd = ToolRequirement(programs: ["/usr/sbin/miniupnpd", "/usr/sbin/nft"], needsRoot: true, apt: "miniupnpd nftables")
    static let systemdAnalyze = ToolRequirement(programs: ["/usr/bin/systemd-analyze"], needsRoot: false, apt: "systemd")
    static let setpriv = ToolRequirement(programs: ["/usr/bin/setpriv"], needsRoot: true, apt: "util-linux")
    static let unshare = ToolRequirement(programs: ["/usr/bin/unshare"], needsRoot: true, apt: "util-linux")

    static func searchPath(environment: [String: String]) -> [String] {
        (environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
    }

    /// What is missing: "root" and the programs not found. HOMEPORT_TEST_HIDE_TOOLS (names or
    /// paths, comma-separated) counts installed programs as missing, to check this gate on a
    /// machine that has them.
    func missing(environment: [String: String] = ProcessInfo.processInfo.environment, isRoot: Bool = geteuid() == 0,
                 searchPath: [String]? = nil) -> [String] {
        let hidden = Set((environment["HOMEPORT_TEST_HIDE_TOOLS"] ?? "").split(separator: ",").map(String.init))
        let path = searchPath ?? Self.searchPath(environment: environment)
        var missing: [String] = needsRoot && !isRoot ? ["root"] : []
        for program in programs {
            let name = (program as NSString).lastPathComponent
            let found = program.hasPrefix("/")
                ? FileManager.default.isExecutableFile(atPath: program)
                : path.contains { FileManager.default.isExecutableFile(atPath: $0 + "/" + program) }
            if !found || hidden.contains(program) || hidden.contains(name) { missing.append(program) }
        }
        return missing
    }

    static func required(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        environment["HOMEPORT_LAB_REQUIRED"] == "1"
    }

    /// For `.enabled(if:)`: true when nothing is missing, or when the run requires the tools.
    func shouldRun(environment: [String: String] = ProcessInfo.processInfo.environment, isRoot: Bool = geteuid() == 0,
                   searchPath: [String]? = nil) -> Bool {
        missing(environment: environment, isRoot: isRoot, searchPath: searchPath).isEmpty || Self.required(environment)
    }

    /// The first thing a gated test does: throws, naming what is missing, when it runs only
    /// because HOMEPORT_LAB_REQUIRED=1 said it must.
    func check(environment: [String: String] = ProcessInfo.processInfo.environment, isRoot: Bool = geteuid() == 0) throws {
        let missing = missing(environment: environment, isRoot: isRoot)
        guard missing.isEmpty else {
            throw TestFailure("HOMEPORT_LAB_REQUIRED=1 but this machine lacks \(missing.joined(separator: ", ")) (apt: \(apt))")
        }
    }

    var skipMessage: String { "needs \(((needsRoot ? ["root"] : []) + programs).joined(separator: ", ")) (apt: \(apt)); HOMEPORT_LAB_REQUIRED=1 fails instead" }
}
