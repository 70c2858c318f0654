import ArgumentParser
import Config
import ControlSocket
import DDNS
import Daemon
import Foundation
import History
import InternetAddress
import Logging
import Paths
import PortMapping
import PublicIP
import Reports
import StatusModel

struct UpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Run one DDNS round: update every [[ddns]] record whose address changed.",
        discussion: """
        Detects the public addresses (or takes --ip4/--ip6, like ddclient's -ip), then for each record decides by the policy kept in the history: a record is sent only when its address differs from the last one the provider confirmed, when the configuration changed, or when the provider needs a periodic refresh. Stop codes (bad credentials, unknown host, abuse) halt a record until its configuration changes; 911/5xx/timeouts back off (30 minutes at least where the protocol demands it).
        --force sends unchanged records again and ignores the minimum interval, but never a stop or a provider-imposed back-off.
        The daemon runs the same round on every address change; this command is for the first setup and for scripts. While the daemon runs on the same state directory, the round is run by the daemon (with its configuration), so the two never send a record twice.
        Exit status: 0 when every record is updated, unchanged or skipped by the policy; 1 when any record failed or a [[ddns]] entry has a problem.
        """
    )

    @OptionGroup var locations: LocationOptions

    @Flag(name: .long, help: "One round, then exit (the only mode of this command; accepted for ddclient users).")
    var once = false

    @Flag(name: .customLong("dry-run"), help: "Decide and print what would be sent; send nothing, record nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Send even unchanged records (not stopped or backed-off ones).")
    var force = false

    @Option(name: .customLong("ip4"), help: ArgumentHelp("Use this IPv4 address instead of detecting it.", valueName: "address"))
    var ipv4: String?

    @Option(name: .customLong("ip6"), help: ArgumentHelp("Use this IPv6 address instead of detecting it.", valueName: "address"))
    var ipv6: String?

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @Flag(name: .long, help: "Log the detection and the provider conversations to stderr.")
    var verbose = false

    func validate() throws {
        if let ipv4, IPAddress(ipv4, family: .ipv4) == nil { throw ValidationError("--ip4 must be an IPv4 address such as 203.0.113.7, not '\(ipv4)'") }
        if let ipv6, IPAddress(ipv6, family: .ipv6) == nil { throw ValidationError("--ip6 must be an IPv6 address such as 2001:db8::7, not '\(ipv6)'") }
    }

    func run() async throws {
        CLILogging.bootstrap(verbose: verbose)
        let resolved: ResolvedLocations
        do {
            resolved = try locations.resolve()
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
        let config = resolved.config
        guard !config.ddns.isEmpty else {
            Terminal.error("no [[ddns]] entries in \(config.sourcePath ?? "the built-in defaults"); `homeport providers show NAME` prints an example block")
            throw ExitCode.failure
        }
        // Parsed here, once: the round, the provider request and the history get the address,
        // so `--ip6 2001:DB8:0::7` is sent and recorded as 2001:db8::7.
        var addresses = (ipv4: ipv4.flatMap { IPAddress($0, family: .ipv4) }, ipv6: ipv6.flatMap { IPAddress($0, family: .ipv6) })
        if ipv4 == nil && ipv6 == nil {
            let mapper = config.router.enabled
                ? PortMapper(configuration: NetworkComponents.mapperConfiguration(config.router), logger: Logger(label: "portmap")) : nil
            let report = await NetworkComponents.detector(config: config, mapper: mapper, logger: Logger(label: "ip")).detect()
            addresses = (report.ipv4.address, report.ipv6.address)
            if addresses.ipv4 == nil && addresses.ipv6 == nil {
                Terminal.error("no public address could be confirmed (`homeport ip` shows what each source said); give one with --ip4/--ip6")
                throw ExitCode.failure
            }
        }
        let reports: [RoundRecordReport]
        let problems: [DDNSRoundPlanner.Problem]
        if let reply = try await daemonRound(stateDirectory: resolved.stateDirectory, ipv4: addresses.ipv4, ipv6: addresses.ipv6) {
            (reports, problems) = (reply.reports, reply.problems)
        } else {
            (reports, problems) = try await localRound(config: config, stateDirectory: resolved.stateDirectory,
                                                       ipv4: addresses.ipv4, ipv6: addresses.ipv6)
        }
        for problem in problems { Terminal.error(problem.description) }
        if json {
            print(try StatusJSON.text(reports))
        } else {
            print(Self.table(reports))
        }
        let failed = reports.contains { $0.outcome.isFailure }
        if failed || !problems.isEmpty { throw ExitCode.failure }
    }

    /// The round run by the daemon when one answers on this state directory: its rounds and
    /// this one then share one lock, so a record is never sent twice (the lock in `DDNSRound`
    /// holds within one process only). Nil when no daemon runs, or it has no `[[ddns]]` entries.
    private func daemonRound(stateDirectory: String, ipv4: IPAddress?, ipv6: IPAddress?) async throws -> DDNSRoundReply? {
        let request = DDNSRoundReply.Request(ipv4: ipv4, ipv6: ipv6, dryRun: dryRun, force: force)
        let reply: [UInt8]
        do {
            // A round may wait for the daemon's own and for slow providers.
            reply = try await ControlClient.request(socketPath: StateLayout(directory: stateDirectory).controlSocket,
                                                    command: request.line, timeout: .seconds(300))
        } catch .notRunning {
            return nil
        } catch {
            // The daemon may be sending right now: a second round from here could repeat it.
            Terminal.error("\(error); not updating from here while a daemon may be running")
            throw ExitCode.failure
        }
        do {
            let answer = try StatusJSON.decoder().decode(DDNSRoundReply.self, from: Data(reply))
            Terminal.note("the running daemon ran this round")
            return answer
        } catch {
            // A daemon without [[ddns]] entries (another config) refuses the command and runs no
            // rounds to collide with. Any other answer may come from a round that did send.
            if let refusal = try? JSONDecoder().decode([String: String].self, from: Data(reply)), refusal["error"] != nil { return nil }
            Terminal.error("the running daemon's answer cannot be read (\(error)); not updating from here while it may have sent")
            throw ExitCode.failure
        }
    }

    private func localRound(config: HomeportConfig, stateDirectory: String, ipv4: IPAddress?, ipv6: IPAddress?)
        async throws -> ([RoundRecordReport], [DDNSRoundPlanner.Problem]) {
        let resolvedStateDirectory = stateDirectory
        let history: HistoryStore
        do {
            for warning in try PrivateFiles.prepareDirectory(resolvedStateDirectory) { Terminal.warning(warning) }
            history = try HistoryStore(path: StateLayout(directory: resolvedStateDirectory).historyDatabase)
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
        let updater = DDNSUpdater(config: config, history: history, stateDirectory: resolvedStateDirectory, version: HomeportCommand.version)
        for error in updater.registry.catalog.errors { Terminal.warning("\(error)") }
        let (reports, problems) = await updater.run(config: config, ipv4: ipv4, ipv6: ipv6, dryRun: dryRun, force: force)
        return (reports, problems)
    }

    static func table(_ reports: [RoundRecordReport]) -> String {
        guard !reports.isEmpty else { return "No record has an address to publish." }
        var table = TextTable(headers: ["PROVIDER", "HOSTNAME", "ADDRESS", "OUTCOME", "MESSAGE"])
        for report in reports {
            var message = report.message ?? ""
            if report.outcome.skipReason != nil || report.outcome == .wouldUpdate { message = report.reason }
            if let dns = report.dnsCheck { message += (message.isEmpty ? "" : "; ") + dns }
            table.add([report.provider, report.hostname, report.address.description, report.outcome.text, WordWrap.elide(message, width: 160)])
        }
        return table.render()
    }
}
