import Config
import DDNS
import Foundation
import History
import Logging
import Paths

/// One DDNS round for the daemon and `homeport update`: providers loaded from the provider
/// directories, records planned from the config and the current addresses, the policy applied
/// with the state kept in the history.
public struct DDNSUpdater: Sendable {
    public let registry: DDNSAdapterRegistry
    public let round: DDNSRound
    let planner: DDNSRoundPlanner

    public init(config: HomeportConfig, history: HistoryStore, stateDirectory: String, version: String,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        let configDirectory = config.sourcePath.map { ($0 as NSString).deletingLastPathComponent }
        let catalog = ProviderCatalog.load(ProviderSearchOrder.standard(configDirectory: configDirectory, environment: environment))
        registry = DDNSAdapterRegistry.standard(catalog: catalog, environment: DDNSEnvironment(userAgent: DDNSUserAgent.make(version: version)))
        round = DDNSRound(history: history)
        planner = DDNSRoundPlanner(registry: registry, environment: environment,
                                   fingerprintKey: Self.fingerprintKey(stateDirectory: stateDirectory))
    }

    /// What `homeport config check` can say without secrets or a history: unknown providers
    /// (with a suggestion) and settings a provider does not know or needs.
    public static func configurationProblems(config: HomeportConfig, environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        let configDirectory = config.sourcePath.map { ($0 as NSString).deletingLastPathComponent }
        let catalog = ProviderCatalog.load(ProviderSearchOrder.standard(configDirectory: configDirectory, environment: environment))
        var problems: [String] = []
        for (index, entry) in config.ddns.enumerated() {
            let place = (config.sourcePath ?? "config") + (entry.line.map { ":\($0)" } ?? "") + ": [[ddns]] #\(index + 1)"
            guard let provider = catalog.provider(entry.provider) else {
                problems.append("\(place): " + catalog.unknownProviderMessage(entry.provider))
                continue
            }
            problems += ProviderSettingsCheck.problems(provider: provider, settings: entry.settings).map { "\(place): \($0)" }
        }
        return problems
    }

    /// Problems in provider files and in `[[ddns]]` entries that stop those entries from working.
    public func problems(config: HomeportConfig) -> [String] {
        registry.catalog.errors.map(\.description)
            // Without addresses the planner makes no records, only checks the entries.
            + planner.plan(config.ddns, addresses: .init()).problems.map(\.description)
    }

    public func run(config: HomeportConfig, ipv4: String?, ipv6: String?, dryRun: Bool = false, force: Bool = false)
        async -> (reports: [RoundRecordReport], problems: [DDNSRoundPlanner.Problem]) {
        let (records, problems) = planner.plan(config.ddns, addresses: .init(ipv4: ipv4, ipv6: ipv6))
        let reports = await round.run(records, dryRun: dryRun, force: force)
        return (reports, problems)
    }

    /// 32 random bytes in the state directory (0600), so the configuration fingerprints in the
    /// history cannot be used to test password guesses. Nil when it cannot be read or made.
    static func fingerprintKey(stateDirectory: String) -> [UInt8]? {
        let path = (stateDirectory as NSString).appendingPathComponent("ddns-fingerprint.key")
        if let data = FileManager.default.contents(atPath: path), data.count == 32 { return Array(data) }
        var key = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in key.indices { key[index] = UInt8.random(in: 0...255, using: &generator) }
        guard (try? PrivateFiles.prepareDirectory(stateDirectory)) != nil,
              FileManager.default.createFile(atPath: path, contents: Data(key), attributes: [.posixPermissions: 0o600]) else { return nil }
        return key
    }
}
