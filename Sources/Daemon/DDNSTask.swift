import Config
import DDNS
import Foundation
import History
import Logging
import PublicIP

/// The daemon's DDNS side: a round on every public-address change, and a cheap round every
/// minute (`[daemon] ddns_check_interval`) so back-offs that ended, DNS re-checks and periodic refreshes happen without a
/// change. The policy in the history decides; an unchanged record costs no request.
actor DDNSTask {
    private let config: HomeportConfig
    private let updater: DDNSUpdater
    private let logger: Logger
    private var addresses: [IPFamily: String] = [:]
    private var wake: AsyncStream<Void>.Continuation?

    init(config: HomeportConfig, history: HistoryStore, stateDirectory: String, version: String, logger: Logger) {
        self.config = config
        self.updater = DDNSUpdater(config: config, history: history, stateDirectory: stateDirectory, version: version)
        self.logger = logger
        for problem in updater.problems(config: config) {
            logger.error("ddns: \(problem)")
        }
    }

    func addressChanged(_ change: IPChange) {
        addresses[change.family] = change.new.description
        wake?.yield()
    }

    func run(every interval: Duration = .seconds(60)) async {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wake = continuation
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                continuation.yield()
            }
        }
        for await _ in stream {
            if Task.isCancelled { break }
            await round()
        }
        ticker.cancel()
    }

    private func round() async {
        guard addresses[.ipv4] != nil || addresses[.ipv6] != nil else { return }
        let (reports, _) = await updater.run(config: config, ipv4: addresses[.ipv4], ipv6: addresses[.ipv6])
        // At debug level every round leaves a line, so a quiet round can be told from none.
        logger.debug("ddns: round done, \(reports.filter { $0.outcome != "skipped" }.count) of \(reports.count) records sent")
        for report in reports where report.outcome != "skipped" {
            let line = "ddns: \(report.provider) \(report.hostname) \(report.family) \(report.address): \(report.outcome)"
                + (report.message.map { " (\($0))" } ?? "")
            if DDNSOutcomeName.isSuccess(report.outcome) { logger.notice("\(line)") } else { logger.warning("\(line)") }
        }
    }
}
