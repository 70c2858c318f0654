import Config
import DDNS
import Foundation
import History
import InternetAddress
import Logging
import Paths

/// One DDNS round for the daemon and `homeport update`: providers loaded from the provider
/// directories, records planned from the config and the current addresses, the policy applied
/// with the state kept in the history.
public struct DDNSUpdater: Sendable {
    public let registry: DDNSAdapterRegistry
    public let round: DDNSRound
    let planner: DDNSRoundPlanner

    /// `round`: the one a reload keeps, so rounds still never overlap and pending DNS
    /// re-checks survive; a new one when nil.
    public init(config: HomeportConfig, history: HistoryStore, stateDirectory: String, version: String,
                environment: [String: String] = ProcessInfo.processInfo.environment, round: DDNSRound? = nil) {
        registry = Self.registry(config: config, version: version, environment: environment)
        self.round = round ?? DDNSRound(history: history)
        planner = DDNSRoundPlanner(registry: registry, environment: environment,
                                   fingerprintKey: Self.fingerprintKey(stateDirectory: stateDirectory))
    }

    /// The providers the daemon loads: the shipped files and `<config dir>/providers`.
    static func registry(config: HomeportConfig, version: String, environment: [String: String]) -> DDNSAdapterRegistry {
        let configDirectory = config.sourcePath.map { ($0 as NSString).deletingLastPathComponent }
        let catalog = ProviderCatalog.load(ProviderSearchOrder.standard(configDirectory: configDirectory, environment: environment))
        return DDNSAdapterRegistry.standard(catalog: catalog, environment: DDNSEnvironment(userAgent: DDNSUserAgent.make(version: version)))
    }

    /// What the daemon would make of the `[[ddns]]` entries, for `homeport config check`: the
    /// same providers and the same planner the daemon's rounds use, run before any address is
    /// known, with nothing written (no history, no fingerprint key).
    public struct Check: Sendable {
        /// The records the daemon keeps up to date.
        public var targets: [DDNSRoundPlanner.Target]
        /// What stops an entry or record from working.
        public var problems: [DDNSRoundPlanner.Problem]
        /// Provider files that do not load and that no entry uses (an entry's own provider file
        /// is among `problems`).
        public var unusedProviderFileErrors: [String]
    }

    public static func check(config: HomeportConfig, version: String,
                             environment: [String: String] = ProcessInfo.processInfo.environment) -> Check {
        let registry = registry(config: config, version: version, environment: environment)
        let planner = DDNSRoundPlanner(registry: registry, environment: environment)
        let (targets, problems) = planner.targets(config.ddns)
        let used = Set(config.ddns.map { "\($0.provider).toml" })
        let unused = registry.catalog.errors.filter { !used.contains(($0.file as NSString).lastPathComponent) }
        return Check(targets: targets, problems: problems, unusedProviderFileErrors: unused.map(\.description))
    }

    /// Problems in provider files and in `[[ddns]]` entries that stop those entries from working.
    public func problems(config: HomeportConfig) -> [String] {
        registry.catalog.errors.map(\.description) + planner.targets(config.ddns).problems.map(\.description)
    }

    public func run(config: HomeportConfig, ipv4: IPAddress?, ipv6: IPAddress?, dryRun: Bool = false, force: Bool = false)
        async -> (reports: [RoundRecordReport], problems: [DDNSRoundPlanner.Problem]) {
        let (records, problems) = planner.plan(config.ddns, addresses: .init(ipv4: ipv4, ipv6: ipv6))
        let reports = await round.run(records, dryRun: dryRun, force: force)
        return (reports, problems)
    }

    /// 32 random bytes in the state directory (0600), so the configuration fingerprints in the
    /// history cannot be used to test password guesses. Nil when it cannot be read or made.
    static func fingerprintKey(stateDirectory: String) -> [UInt8]? {
        let path = StateLayout(directory: stateDirectory).ddnsFingerprintKey
        if let data = FileManager.default.contents(atPath: path), data.count == 32 { return Array(data) }
        var key = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in key.indices { key[index] = UInt8.random(in: 0...255, using: &generator) }
        guard (try? PrivateFiles.prepareDirectory(stateDirectory)) != nil,
              FileManager.default.createFile(atPath: path, contents: Data(key), attributes: [.posixPermissions: 0o600]) else { return nil }
        return key
    }
}
