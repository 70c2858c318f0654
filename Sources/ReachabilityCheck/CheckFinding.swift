import Probe

/// The area a finding belongs to, in the order `check` prints them.
public enum CheckTopic: String, Sendable, Codable, CaseIterable {
    case config, daemon, listener, firewall, address, verdict, router, dns, outside, ipv6, nat, evidence
}

/// One line of `homeport check`: what was checked, how it came out, what was seen, and for a
/// failure the concrete fixes (a router-page row, a config key, a command).
public struct CheckFinding: Sendable, Codable, Equatable {
    /// Stable identifier for scripts, e.g. `listener.udp.21116` (documented in docs/check.md).
    public var id: String
    public var topic: CheckTopic
    public var outcome: CheckOutcome
    /// The line itself, e.g. "UDP 21116 (ID server registrations) is bound by homeport".
    public var title: String
    /// Facts behind the outcome, one sentence each.
    public var details: [String]
    /// What to do, most useful first; empty when nothing needs doing.
    public var fixes: [String]
    /// For a port checked from outside: what the probe found there (nil otherwise).
    public var seenFromOutside: PortOutcome?

    public init(id: String, topic: CheckTopic, outcome: CheckOutcome, title: String, details: [String] = [], fixes: [String] = []) {
        self.id = id
        self.topic = topic
        self.outcome = outcome
        self.title = title
        self.details = details
        self.fixes = fixes
    }
}
