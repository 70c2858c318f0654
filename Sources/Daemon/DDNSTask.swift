import Config
import DDNS
import Foundation
import History
import InternetAddress
import Logging
import PublicIP

/// The daemon's DDNS side: a round on every public-address change, a round when the earliest
/// minimum interval or back-off of a skipped record ends, and a cheap round every minute
/// (`[daemon] ddns_check_interval`) so DNS re-checks and periodic refreshes happen without a
/// change. The policy in the history decides; an unchanged record costs no request.
actor DDNSTask {
    private var config: HomeportConfig
    private var updater: DDNSUpdater
    private let history: HistoryStore
    private let stateDirectory: String
    private let version: String
    private let logger: Logger
    /// Time between rounds without a change (`[daemon] ddns_check_interval`).
    private var interval: Duration
    private var addresses: [IPFamily: IPAddress] = [:]
    /// Made here, not in `run`, so a change that arrives before the loop starts is kept.
    private let wakes: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    /// The one pending wake-up for the earliest record that was due later.
    private var dueWake: (at: Date, task: Task<Void, Never>)?
    private var reportedProblems: Set<String> = []
    /// The records the entries make (those with problems are logged, not listed).
    private var targets: [DDNSRoundPlanner.Target]

    init(config: HomeportConfig, history: HistoryStore, stateDirectory: String, version: String, logger: Logger) {
        self.config = config
        self.updater = DDNSUpdater(config: config, history: history, stateDirectory: stateDirectory, version: version)
        self.history = history
        self.stateDirectory = stateDirectory
        self.version = version
        self.logger = logger
        interval = config.daemon.ddnsCheckInterval
        (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        targets = updater.planner.targets(config.ddns).targets
        Self.log(problems: updater.problems(config: config), logger: logger)
    }

    private static func log(problems: [String], logger: Logger) {
        for problem in problems { logger.error("ddns: \(problem)") }
    }

    /// A reload: the new entries and provider files, then a round. Every record's state (last
    /// confirmed address, back-off, stop) is in the history under its provider, hostname and
    /// family, so an unchanged record carries on where it was and a reload is no way around a
    /// back-off or stop; a changed one is a new configuration to the policy
    /// (docs/ddns-policy.md#configuration-fingerprint). The round is kept: rounds never overlap.
    func update(config: HomeportConfig) {
        self.config = config
        interval = config.daemon.ddnsCheckInterval
        updater = DDNSUpdater(config: config, history: history, stateDirectory: stateDirectory, version: version, round: updater.round)
        targets = updater.planner.targets(config.ddns).targets
        reportedProblems = []
        Self.log(problems: updater.problems(config: config), logger: logger)
        wake.yield()
    }

    /// The addresses to publish, as the address watch last agreed on them (a new task, or a
    /// family the reload turned off).
    func set(addresses: [IPFamily: IPAddress]) {
        guard addresses != self.addresses else { return }
        self.addresses = addresses
        wake.yield()
    }

    /// Every configured record, and whether an address of its family is known, so `status`
    /// lists a record before its first attempt.
    func configuredRecords() -> [(target: DDNSRoundPlanner.Target, addressKnown: Bool)] {
        targets.map { ($0, addresses[$0.family] != nil) }
    }

    func addressChanged(_ change: IPChange) {
        addresses[change.family] = change.new
        wake.yield()
    }

    /// Runs rounds until cancelled, every `[daemon] ddns_check_interval` (read again after each
    /// wait, so a reload changes it).
    func run() async {
        let wake = self.wake
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: self.interval)
                wake.yield()
            }
        }
        for await _ in wakes {
            if Task.isCancelled { break }
            await round()
        }
        ticker.cancel()
        dueWake?.task.cancel()
    }

    /// A round asked for by `homeport update` over the control socket: the same `DDNSRound` as
    /// the daemon's own, so the two wait for each other and never send one record twice.
    func requestedRound(ipv4: IPAddress?, ipv6: IPAddress?, dryRun: Bool, force: Bool)
        async -> (reports: [RoundRecordReport], problems: [DDNSRoundPlanner.Problem]) {
        let result = await updater.run(config: config, ipv4: ipv4, ipv6: ipv6, dryRun: dryRun, force: force)
        if !dryRun { schedule(after: result.reports) }
        return result
    }

    private func round() async {
        guard addresses[.ipv4] != nil || addresses[.ipv6] != nil else { return }
        let (reports, problems) = await updater.run(config: config, ipv4: addresses[.ipv4], ipv6: addresses[.ipv6])
        // At debug level every round leaves a line, so a quiet round can be told from none.
        logger.debug("ddns: round done, \(reports.filter { $0.outcome.skipReason == nil }.count) of \(reports.count) records sent")
        // Each problem once while it lasts, not once a minute.
        let lines = Set(problems.map(\.description))
        for line in lines.subtracting(reportedProblems).sorted() { logger.error("ddns: \(line)") }
        reportedProblems = lines
        for report in reports where report.outcome.skipReason == nil {
            let line = "ddns: \(report.provider) \(report.hostname) \(report.family.rawValue) \(report.address): \(report.outcome)"
                + (report.message.map { " (\($0))" } ?? "")
            if report.outcome.isSuccess { logger.notice("\(line)") } else { logger.warning("\(line)") }
        }
        schedule(after: reports)
    }

    /// Wakes the loop when the earliest record that is due later (minimum interval, back-off)
    /// becomes due, instead of leaving it to a minute tick that may come almost a minute late.
    private func schedule(after reports: [RoundRecordReport]) {
        let now = Date()
        guard let due = reports.compactMap({ report -> Date? in
            guard !report.outcome.isSuccess,
                  !report.stopped, let next = report.nextAttemptAt, next > now else { return nil }
            return next
        }).min() else { return }
        if let pending = dueWake, pending.at <= due, pending.at > now { return }
        dueWake?.task.cancel()
        let wake = self.wake
        let delay = due.timeIntervalSince(now)
        dueWake = (due, Task {
            // A little late rather than early: a round a moment before the end is skipped again.
            try? await Task.sleep(for: .milliseconds(Int64((delay + 0.05) * 1000)))
            if !Task.isCancelled { wake.yield() }
        })
    }
}
