import DDNS
import InternetAddress

/// `homeport update` while the daemon runs: the round is run by the daemon, so it waits for the
/// daemon's own round instead of deciding from a history the other process is about to change.
public struct DDNSRoundReply: Sendable, Codable {
    public static let command = "ddns-update"

    public var reports: [RoundRecordReport]
    public var problems: [DDNSRoundPlanner.Problem]

    public init(reports: [RoundRecordReport], problems: [DDNSRoundPlanner.Problem]) {
        self.reports = reports
        self.problems = problems
    }

    /// The command's words: `ip4=A`, `ip6=A`, `dry-run`, `force`.
    public struct Request: Sendable, Equatable {
        public var ipv4: IPAddress?
        public var ipv6: IPAddress?
        public var dryRun = false
        public var force = false

        public init(ipv4: IPAddress?, ipv6: IPAddress?, dryRun: Bool, force: Bool) {
            self.ipv4 = ipv4
            self.ipv6 = ipv6
            self.dryRun = dryRun
            self.force = force
        }

        /// The words as `line` writes them; an address of the wrong form is an error, not ignored.
        init(arguments: [String]) throws(IPAddressSyntaxError) {
            for argument in arguments {
                if argument.hasPrefix("ip4=") { ipv4 = try IPAddress(parsing: argument.dropFirst(4), family: .ipv4) }
                else if argument.hasPrefix("ip6=") { ipv6 = try IPAddress(parsing: argument.dropFirst(4), family: .ipv6) }
                else if argument == "dry-run" { dryRun = true }
                else if argument == "force" { force = true }
            }
        }

        public var line: String {
            ([DDNSRoundReply.command] + [ipv4.map { "ip4=\($0)" }, ipv6.map { "ip6=\($0)" },
                                         dryRun ? "dry-run" : nil, force ? "force" : nil].compactMap { $0 })
                .joined(separator: " ")
        }
    }
}
