import ArgumentParser
import Config
import Daemon
import Foundation
import History
import Paths
import Reports
import StatusModel

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show recorded history: uptime, service events, public IP changes, DDNS updates.",
        discussion: "Reads the history database directly, so it works whether or not the daemon is running.",
        subcommands: [UptimeHistoryCommand.self, EventsHistoryCommand.self, IPHistoryCommand.self, DDNSHistoryCommand.self, RelayHistoryCommand.self],
        defaultSubcommand: UptimeHistoryCommand.self
    )
}

struct HistoryOptions: ParsableArguments {
    @OptionGroup var locations: LocationOptions

    @Option(name: .long, help: ArgumentHelp("How far back to look: 24h, 7d, 90d, 1y is 365d.", valueName: "duration"))
    var since: String = "7d"

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        guard Self.window(since) != nil else {
            throw ValidationError("--since must be a duration such as 24h, 7d, 90d or 1y (365 days), not '\(since)'.")
        }
    }

    var sinceDate: Date {
        Date().addingTimeInterval(-DurationText.seconds(Self.window(since) ?? .seconds(7 * 86400)))
    }

    /// A look-back window: a duration, or whole years of 365 days (`1y`, as the help offers),
    /// up to the 100 years a duration may span.
    static func window(_ text: String) -> Duration? {
        let trimmed = text.filter { !$0.isWhitespace }
        if trimmed.hasSuffix("y"), let years = Int(trimmed.dropLast()), (1...100).contains(years) {
            return .seconds(years * 365 * 86400)
        }
        return DurationText.parse(trimmed)
    }

    func openStore() throws -> HistoryStore {
        let stateDirectory = locations.stateDirectoryForReading().stateDirectory
        let path = StateLayout(directory: stateDirectory).historyDatabase
        if let denied = PathAccess.deniedReason(path: path, need: R_OK) {
            Terminal.error(denied)
            throw ExitCode.failure
        }
        do {
            return try HistoryStore(path: StateLayout(directory: stateDirectory).historyDatabase, readOnly: true)
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
    }

    /// `--service NAME` must name a service the history knows: a typo is an error naming the
    /// known ones, not an empty report.
    func checkService(_ name: String?, in store: HistoryStore) throws {
        guard let name else { return }
        let known = try store.serviceFirstSeen().keys.sorted()
        guard !known.contains(name) else { return }
        var message = "No service named '\(name)' in the history"
        if known.isEmpty {
            message += ": no service has run yet."
        } else {
            message += "; known: \(known.joined(separator: ", "))."
            if let close = KeySuggestion.closest(to: name, in: known) { message += " Did you mean '\(close)'?" }
        }
        Terminal.error(message)
        throw ExitCode.failure
    }

    func printJSON<T: Encodable>(_ value: T) throws {
        print(try StatusJSON.text(value))
    }
}

struct UptimeHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uptime",
        abstract: "Uptime per service over 24 h, 7 d, 30 d and --since, with a timeline and outages.",
        discussion: "Time when the host or homeport was not running counts as downtime (known from the daemon's heartbeats)."
    )

    @OptionGroup var options: HistoryOptions

    @Option(name: .long, help: "Only this service.")
    var service: String?

    func run() throws {
        let store = try options.openStore()
        try options.checkService(service, in: store)
        let summary = try UptimeSummary.build(history: store, since: options.sinceDate, now: Date(), services: service)
        if options.json { return try options.printJSON(summary) }
        print(HistoryReport.uptime(summary, style: Terminal.style))
    }
}

struct EventsHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Service starts, exits (with code or signal), restarts, health failures, crash loops."
    )

    @OptionGroup var options: HistoryOptions

    @Option(name: .long, help: "Only this service.")
    var service: String?

    @Option(name: .long, help: "Show at most this many (the latest).")
    var limit: Int = 200

    func validate() throws {
        guard (1...1_000_000).contains(limit) else {
            throw ValidationError("--limit must be from 1 to 1000000, not \(limit).")
        }
    }

    func run() throws {
        let store = try options.openStore()
        try options.checkService(service, in: store)
        let events = try store.events(service: service, since: options.sinceDate, limit: limit)
        if options.json { return try options.printJSON(events) }
        print(HistoryReport.events(events, since: options.sinceDate))
    }
}

struct IPHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ip",
        abstract: "Public IP address changes, with the source that saw each."
    )

    @OptionGroup var options: HistoryOptions

    func run() throws {
        let store = try options.openStore()
        let since = options.sinceDate
        let changes = try store.ipObservations(since: since)
        if options.json { return try options.printJSON(changes) }
        print(HistoryReport.ip(changes, before: try store.ipAddresses(before: since), since: since))
    }
}

struct DDNSHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ddns",
        abstract: "DDNS update attempts: host, provider, address sent and what the provider answered."
    )

    @OptionGroup var options: HistoryOptions

    @Option(name: .long, help: ArgumentHelp("Only this hostname.", valueName: "name"))
    var host: String?

    func run() throws {
        let store = try options.openStore()
        let results = try store.ddnsResults(since: options.sinceDate, hostname: host)
        if options.json { return try options.printJSON(results) }
        print(HistoryReport.ddns(results, host: host, since: options.sinceDate))
    }
}

struct RelayHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Relay sessions and bytes relayed per day."
    )

    @OptionGroup var options: HistoryOptions

    func run() throws {
        let store = try options.openStore()
        let days = try store.relayUsage(from: RelayUsageDay.dayText(options.sinceDate))
        if options.json { return try options.printJSON(days) }
        print(HistoryReport.relay(days, since: options.sinceDate))
    }
}
