import Foundation
import InternetAddress

/// The host's own firewall, read only: which of the built-in servers' ports it lets in from
/// outside. Linux: the nftables ruleset (`nft -j list ruleset`, which also shows the rules of
/// iptables-nft and of ufw on it), else `iptables-save`/`ip6tables-save`, plus the legacy
/// backend's rules (`iptables-legacy-save`) when it has a filter table; when ufw is active
/// the fix is a ufw command. macOS: see `ApplicationFirewall` (untested here).
public struct FirewallInspection: Sendable {
    public var runner: HostCommandRunner

    public init(runner: HostCommandRunner = HostCommandRunner()) {
        self.runner = runner
    }

    /// One verdict per port and family, in the order asked.
    public func inspect(_ ports: [InspectedPort], families: [IPFamily] = IPFamily.allCases) async -> [FirewallVerdict] {
        let rules = await readRules()
        let ufwActive = await isUFWActive()
        var verdicts: [FirewallVerdict] = []
        for port in ports {
            for family in families {
                var decision = rules.decision(port, family)
                if ufwActive, case .dropped(let rule, let chain, _) = decision {
                    decision = .dropped(by: rule, chain: chain, fix: "ufw allow \(port)")
                }
                verdicts.append(FirewallVerdict(port: port, family: family, decision: decision))
            }
        }
        return verdicts
    }

    /// The rules as read: where a packet ends in each input-hook chain, or why they could
    /// not be read.
    struct Rules {
        var failure: String?
        var outcomes: (InspectedPort, IPFamily) -> [BaseChainOutcome]

        func decision(_ port: InspectedPort, _ family: IPFamily) -> FirewallDecision {
            if let failure { return .couldNotInspect(failure) }
            return BaseChainOutcome.decision(of: outcomes(port, family))
        }
    }

    private func readRules() async -> Rules {
        let nft: HostCommandRunner.Output
        do {
            nft = try await runner.run("nft", ["-j", "list", "ruleset"])
        } catch .notInstalled {
            return await readIPTables(priorities: [.ipv4: 0, .ipv6: 0])
        } catch {
            return Self.failed("\(error)")
        }
        guard nft.exitCode == 0 else { return Self.failed(Self.reason("nft", nft)) }
        let ruleset: NFTablesRuleset
        do {
            ruleset = try NFTablesRuleset(json: nft.stdout)
        } catch {
            return Self.failed(error.description)
        }
        // The rule texts are for messages only: without them rules are named by handle.
        let listing = (try? await runner.run("nft", ["-a", "list", "ruleset"]))?.stdout ?? ""
        let texts = NFTablesRuleTexts(listing: listing)
        // iptables-nft's tables hold matches nft shows only as `xt` (even conntrack's
        // ESTABLISHED): iptables-save reads them back as written.
        var delegated = Set(ruleset.iptablesTables.filter { $0.name == "filter" && ($0.family == "ip" || $0.family == "ip6") })
        var iptables = Rules(failure: nil) { _, _ in [] }
        var outcomes: (InspectedPort, IPFamily) -> [BaseChainOutcome] = { _, _ in [] }
        if !delegated.isEmpty, HostCommandRunner.find("iptables-save") != nil {
            var priorities: [IPFamily: Int] = [:]
            for table in delegated {
                let family: IPFamily = table.family == "ip" ? .ipv4 : .ipv6
                priorities[family] = ruleset.inputChains(for: table.family).first { $0.id.tableID == table }?.priority ?? 0
            }
            iptables = await readIPTables(priorities: priorities)
            outcomes = iptables.outcomes
        } else {
            delegated = []
        }
        let excluded = delegated
        let fromIPTables = outcomes
        let failure = iptables.failure
        let legacy = await readLegacyIPTables()
        return Rules(failure: failure) { port, family in
            NFTablesEvaluation(ruleset: ruleset, texts: texts, port: port, family: family).outcomes(excluding: excluded)
                + fromIPTables(port, family)
                + (legacy[family].flatMap { IPTablesEvaluation(filter: $0, port: port, family: family, legacy: true).outcome() }.map { [$0] } ?? [])
        }
    }

    /// The legacy iptables backend (x_tables) filters on the same hook as nftables, on its own,
    /// and nft does not show its rules. Its filter table is read only when it exists in this
    /// network namespace (/proc/net/ip_tables_names), so that reading never creates it.
    private func readLegacyIPTables() async -> [IPFamily: IPTablesFilter] {
        var tables: [IPFamily: IPTablesFilter] = [:]
        for (family, names, tool) in [(IPFamily.ipv4, "/proc/net/ip_tables_names", "iptables-legacy-save"),
                                      (.ipv6, "/proc/net/ip6_tables_names", "ip6tables-legacy-save")] {
            guard HostCommandRunner.find(tool) != nil,
                  let listed = try? await runner.run("cat", [names]), listed.exitCode == 0,
                  listed.stdout.split(separator: "\n").contains("filter"),
                  let saved = try? await runner.run(tool, ["-t", "filter"]), saved.exitCode == 0 else { continue }
            tables[family] = IPTablesFilter(save: saved.stdout)
        }
        return tables
    }

    private func readIPTables(priorities: [IPFamily: Int]) async -> Rules {
        var tables: [IPFamily: IPTablesFilter] = [:]
        for family in priorities.keys.sorted() {
            let tool = family == .ipv4 ? "iptables-save" : "ip6tables-save"
            let output: HostCommandRunner.Output
            do {
                output = try await runner.run(tool, ["-t", "filter"])
            } catch .notInstalled {
                return Self.failed("neither nft nor \(tool) is installed")
            } catch {
                return Self.failed("\(error)")
            }
            guard output.exitCode == 0 else { return Self.failed(Self.reason(tool, output)) }
            tables[family] = IPTablesFilter(save: output.stdout)
        }
        let found = tables
        return Rules(failure: nil) { port, family in
            guard let filter = found[family], let priority = priorities[family] else { return [] }
            return IPTablesEvaluation(filter: filter, port: port, family: family).outcome(priority: priority).map { [$0] } ?? []
        }
    }

    /// ufw's rules are in the ruleset read above; whether it is active only changes the fix
    /// (ufw would overwrite a rule added with nft or iptables at its next reload).
    private func isUFWActive() async -> Bool {
        guard let output = try? await runner.run("ufw", ["status"]), output.exitCode == 0 else { return false }
        return output.stdout.split(separator: "\n").first?.trimmingCharacters(in: .whitespaces) == "Status: active"
    }

    private static func failed(_ reason: String) -> Rules {
        Rules(failure: reason) { _, _ in [] }
    }

    /// Why a tool failed, in words: "run as root" when it lacked the privilege.
    static func reason(_ tool: String, _ output: HostCommandRunner.Output) -> String {
        let message = (output.stderr.isEmpty ? output.stdout : output.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
        let lowered = message.lowercased()
        if lowered.contains("operation not permitted") || lowered.contains("permission denied") || lowered.contains("must be root") {
            return "\(tool) needs root to read the firewall rules: run as root"
        }
        let code = output.exitCode.map { "exit code \($0)" } ?? "killed by a signal"
        return "\(tool) failed (\(code))\(message.isEmpty ? "" : ": " + String(message.prefix(300)))"
    }
}
