import ArgumentParser
import Daemon
import Foundation
import Logging
import PortMapping
import PublicIP
import Reports
import StatusModel

struct IPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ip",
        abstract: "Detect the public IPv4/IPv6 address and say whether home can be reached from outside.",
        discussion: """
        Asks every configured source at once: HTTP echo services, DNS echoes, the router (UPnP IGD, NAT-PMP, PCP) and the local interfaces. An address counts only when independent sources agree ([ip] agreement).
        The verdict compares the router's WAN address with the outside view and the first hops of the path:
          public        the router holds the public address; port forwards work
          cgnat         the ISP's carrier-grade NAT (100.64.0.0/10) is in front, shown by the router's WAN address or by a hop beyond the router (even when the router reports a public address it learned over STUN); inbound IPv4 cannot work
          double-nat    another router with a private address is in front
          upstream-nat  the router reports a public WAN address, but another NAT in front of it decides: the internet sees another address, or the router refuses mappings for lack of a public address
          no-router-info  the router speaks none of the mapping protocols; how to check by hand is printed
        """
    )

    @OptionGroup var locations: LocationOptions

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @Flag(name: .long, help: "Log every source's and the router's conversation to stderr.")
    var verbose = false

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
        let logger = Logger(label: "ip")
        let mapper = config.router.enabled
            ? PortMapper(configuration: NetworkComponents.mapperConfiguration(config.router), logger: Logger(label: "portmap")) : nil
        let detector = NetworkComponents.detector(config: config, mapper: mapper, logger: logger)
        let report = await detector.detect()
        let routerReport = await mapper?.lastReport
        if let routerReport { Self.logConversation(routerReport, logger: logger) }
        let output = IPOutput(report: report, routerReport: routerReport)
        if json {
            print(try output.jsonText())
        } else {
            print(IPReportText.render(report, routerReport: routerReport, style: Terminal.style))
        }
    }
}

extension IPCommand {
    /// What each mapping protocol answered the router probe (debug: shown with --verbose).
    static func logConversation(_ report: RouterReport, logger: Logger) {
        let gateway = report.gateway.map { "router \($0)" } ?? "router (no gateway)"
        for result in report.results {
            var line = "\(gateway) over \(result.mappingProtocol.rawValue): "
            if result.available {
                line += "answered in \(Int((result.latencyMilliseconds ?? 0).rounded())) ms"
                if let external = result.externalAddress { line += "; WAN address \(external == .empty ? "empty" : external.description)" }
                line += "; test mapping \(result.mapping.status.rawValue)" + (result.mapping.reason.map { " (\($0))" } ?? "")
            } else {
                line += result.error ?? "no answer"
            }
            logger.debug("\(line)")
        }
    }
}

/// `homeport ip --json`: the detection report, with the router section extended by what each
/// mapping protocol answered; printed through the one JSON style (`StatusJSON`).
struct IPOutput: Encodable {
    let report: DetectionReport
    let routerReport: RouterReport?

    func jsonText() throws -> String {
        try StatusJSON.text(self)
    }

    private enum Key: String, CodingKey {
        case router
    }

    func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        // The same keyed container again: its "router" replaces the report's.
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(RouterSection(facts: report.router, probe: routerReport), forKey: .router)
    }

    /// What the detector concluded about the router, and what each protocol answered.
    private struct RouterSection: Encodable {
        let facts: RouterFacts?
        let probe: RouterReport?

        enum Key: String, CodingKey {
            case protocols, mapping, probe
            case localAddress = "local_address"
            case externalAddress = "external_address"
        }

        func encode(to encoder: any Encoder) throws {
            try facts?.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            if facts == nil { try container.encodeNil(forKey: .externalAddress) }
            guard let probe else {
                try container.encode([String](), forKey: .protocols)
                return
            }
            try container.encode(probe.results.filter(\.available).map(\.mappingProtocol.rawValue), forKey: .protocols)
            try container.encode(probe.mapping.rawValue, forKey: .mapping)
            try container.encode(probe.localAddress?.description, forKey: .localAddress)
            try container.encode(probe.results, forKey: .probe)
        }
    }
}

enum IPReportText {
    static func render(_ report: DetectionReport, routerReport: RouterReport?, style: Style) -> String {
        var lines: [String] = []
        for agreement in [report.ipv4, report.ipv6] where agreement.status != .disabled {
            let family = agreement.family == .ipv4 ? "IPv4" : "IPv6"
            switch agreement.status {
            case .agreed:
                let address = agreement.address.map(\.description) ?? "?"
                lines.append("Public \(family): \(style.bold(address))  (agreed by \(agreement.agreeingSources.joined(separator: ", ")))")
            case .disagreement:
                let votes = agreement.votes.map { "\($0.address) from \($0.sources.joined(separator: ", "))" }.joined(separator: "; ")
                lines.append(style.yellow("Public \(family): sources disagree: \(votes)"))
            case .unanswered:
                lines.append("Public \(family): " + style.yellow("not known: no source answered with a usable address (see below)"))
            default:
                lines.append("Public \(family): " + style.yellow("not confirmed (\(agreement.required) agreeing sources needed)"))
            }
        }
        lines.append("")
        var table = TextTable(headers: ["SOURCE", "FAMILY", "ANSWER", "TIME"])
        for source in report.sources {
            let answer = source.address?.description ?? source.error.map { "error: \($0)" } ?? "-"
            table.add([source.name, source.family.rawValue, answer, String(format: "%.0f ms", source.latencyMs)])
        }
        lines.append(table.render())
        lines.append("")
        if let routerReport {
            let gateway = routerReport.gateway?.description ?? "not found"
            let answered = routerReport.results.filter(\.available)
            var line = "Router \(gateway): "
            if answered.isEmpty {
                line += "no UPnP IGD, NAT-PMP or PCP answer"
            } else {
                line += "speaks " + answered.map(\.mappingProtocol.rawValue).joined(separator: ", ")
                let external = answered.compactMap(\.externalAddress).first
                line += "; WAN address " + (external.map { $0 == .empty ? "empty (the router has no public address)" : $0.description } ?? "not reported")
                line += "; mapping \(routerReport.mapping.rawValue)"
            }
            lines.append(line)
        }
        let hops = report.hops.routerAddresses
        if !hops.isEmpty {
            lines.append("First hops: " + hops.map { "\($0.ttl): \($0.address)" }.joined(separator: ", "))
        }
        lines.append("")
        let verdict = report.verdict
        let head = "Verdict: \(verdict.kind.rawValue) — \(verdict.summary)"
        lines.append(verdict.kind == .public ? style.green(head) : style.yellow(head))
        lines.append(verdict.consequence)
        for advice in verdict.advice { lines.append("  • \(advice)") }
        lines.append("Evidence:")
        for fact in verdict.evidence { lines.append("  - \(fact)") }
        return WordWrap.fit(lines.joined(separator: "\n"))
    }
}
