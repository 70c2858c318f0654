import ArgumentParser
import ClientSetup
import Config
import ControlSocket
import Daemon
import Foundation
import History
import HostInspection
import InternetAddress
import Logging
import NATBehavior
import Paths
import PortMapping
import Probe
import ReachabilityCheck
import Reports
import StatusModel

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check whether RustDesk clients on the internet can reach this home, port by port.",
        discussion: """
        Runs every check at once and finishes within about 10 seconds, online or not: the configuration, the daemon, who holds each server port on this host, this host's firewall (read only; root sees more), the public addresses and the NAT verdict, the router's mapping of each port (homeport's own, and any forward the router lists over UPnP), each [[ddns]] hostname's DNS record, every port from outside (through the outside probe, or what the servers saw arrive from public addresses), and whether the NAT's mapping varies by destination (STUN). Each line starts with ✔ (fine), ✘ (blocks outside clients: the fix follows under it), ! (works, but look) or ? (could not be verified).

        Exit status: 0 when outside clients can connect to every enabled server port, 1 when something blocks them, 2 when that could not be established (for example nothing checked the ports from outside). `--json` prints the same findings as JSON (schema in docs/check.md).
        """
    )

    @OptionGroup var locations: LocationOptions

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @Flag(name: .long, help: "Also show the facts behind checks that passed.")
    var verbose = false

    @Flag(name: .customLong("ipv4"), help: "Check IPv4 only.")
    var ipv4Only = false

    @Flag(name: .customLong("ipv6"), help: "Check IPv6 only.")
    var ipv6Only = false

    @Option(name: .long, help: ArgumentHelp("The outside probe to ask (`homeport probe serve` on a machine outside the home).", discussion: "Default: [check] probe in the config. Without a probe the ports are verified from outside only by what the servers saw arrive from public addresses.", valueName: "url"))
    var probe: String?

    @Option(name: .customLong("probe-token-file"), help: ArgumentHelp("File holding the probe's token. Default: [check] probe_token_file.", valueName: "path"))
    var probeTokenFile: String?

    @Flag(name: .customLong("no-probe"), help: "Do not ask the outside probe, even when the config names one.")
    var noProbe = false

    func validate() throws {
        if ipv4Only && ipv6Only { throw ValidationError("--ipv4 and --ipv6 exclude each other; give neither to check both") }
        if noProbe && probe != nil { throw ValidationError("--probe and --no-probe exclude each other") }
        if let probe, URL(string: probe)?.host == nil || !(probe.hasPrefix("http://") || probe.hasPrefix("https://")) {
            throw ValidationError("--probe must be the probe's URL, such as https://vps.example.net:21120, not \"\(probe)\"")
        }
    }

    func run() async throws {
        let now = Date()
        var findings: [CheckFinding] = []
        let config: HomeportConfig
        let stateDirectory: String
        do {
            let resolved = try locations.resolve()
            config = resolved.config
            stateDirectory = resolved.stateDirectory
            findings.append(CheckFinding(id: "config.valid", topic: .config, outcome: .pass,
                                         title: "Configuration: \(resolved.explicitConfigPath ?? (FileManager.default.fileExists(atPath: resolved.defaultConfigPath) ? resolved.defaultConfigPath : "built-in defaults"))"))
        } catch {
            // The other checks still run, on the built-in defaults, so one typo does not hide the rest.
            config = HomeportConfig.embeddedDefaults
            stateDirectory = locations.stateDirectoryWithoutConfig()
            findings.append(CheckFinding(id: "config.valid", topic: .config, outcome: .fail, title: "The configuration has an error",
                                         details: ["\(error)"], fixes: ["`homeport config check` lists every problem in the file"]))
        }
        let families: [IPFamily] = ipv4Only ? [.ipv4] : ipv6Only ? [.ipv6] : [.ipv4, .ipv6]
        let ports = ServerPort.all(rendezvous: config.rendezvous, relay: config.relay)
        let status = await Self.status(stateDirectory: stateDirectory)
        let mapPorts = config.router.enabled && config.router.mapPorts
        // This host's address towards the router: what a forward must point at.
        let lanAddress = try? GatewayDiscovery.discover(override: config.router.gateway).localAddress
        let probeSettings = noProbe ? nil : (probe ?? config.check.probe).map { (url: $0, tokenFile: probeTokenFile ?? config.check.probeTokenFile) }
        let steps: [CheckStep] = [
            CheckStep(id: "daemon", topic: .daemon, title: "The daemon", deadline: .seconds(1)) {
                [StatusFindings.daemon(status, now: now)]
                    + StatusFindings.addresses(status?.publicIP, families: families, now: now)
                    + [StatusFindings.verdict(status?.publicIP)]
            },
            CheckStep(id: "router", topic: .router, title: "The router's forwards", deadline: .seconds(6)) {
                let forwards = await Self.routerForwards(config.router)
                return StatusFindings.mappings(status, ports: ports, mapPorts: mapPorts, lanAddress: lanAddress, forwards: forwards)
            },
            CheckStep(id: "listener", topic: .listener, title: "Listeners on this host", deadline: .seconds(3)) {
                let own = OwnProcesses(pids: Self.ownPIDs(status), executable: Self.ownExecutable())
                let occupancy = await ListenerInspection.inspect(ports.map(ListenerFindings.inspectedPort), own: own)
                return zip(ports, occupancy).map { ListenerFindings.finding($0, $1.occupancy) }
            },
            CheckStep(id: "firewall", topic: .firewall, title: "Local firewall", deadline: .seconds(6)) {
                let verdicts = await FirewallInspection().inspect(ports.map(ListenerFindings.inspectedPort), families: families)
                return FirewallFindings.findings(verdicts, ports: ports)
            },
            CheckStep(id: "outside", topic: .outside, title: "The ports from outside", deadline: .seconds(9)) {
                let run = await Self.askProbe(probeSettings, config: config)
                return OutsideFindings.findings(run, ports: ports, contacts: status?.outsideContacts ?? [], lanAddress: lanAddress, now: now)
            },
        ] + Self.natSteps(config: config, families: families) + Self.dnsSteps(config: config, families: families, status: status, now: now)
        findings += await CheckRunner.run(steps)
        findings += EvidenceConflicts.findings(findings)
        let report = CheckReport(checkedAt: now, findings: findings)
        if json {
            print(try StatusJSON.text(report))
        } else {
            print(CheckReportText.render(report, verbose: verbose), terminator: "")
            // The server side is healthy: what the clients need, ready to copy.
            if report.conclusion != .blocked, let setup = try? ClientSetup.load(config: config, stateDirectory: stateDirectory, host: nil) {
                print("")
                print((setup.textLines + setup.warnings.map { "Note: \($0)" }).joined(separator: "\n"))
            }
        }
        throw ExitCode(report.exitCode)
    }

    /// The outside probe's answer for every server port, or why there is none.
    static func askProbe(_ settings: (url: String, tokenFile: String?)?, config: HomeportConfig) async -> OutsideFindings.ProbeRun {
        guard let settings else { return .none }
        guard let url = URL(string: settings.url) else { return .failed("\(settings.url) is not a URL") }
        var token: String?
        if let file = settings.tokenFile {
            do {
                token = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                return .failed("the probe's token file \(file) could not be read: \(error.localizedDescription)")
            }
        }
        let ports = ProbeRequest.rustDeskPorts(rendezvousPort: config.rendezvous.enabled ? config.rendezvous.port : nil,
                                               relayPort: config.relay.enabled ? config.relay.port : nil)
        do {
            return .answered(try await ProbeClient(url: url, token: token, timeout: .seconds(8)).check(ports))
        } catch {
            return .failed("\(error)")
        }
    }

    /// The router's forwards as its UPnP table lists them, whoever made them; nil when the router
    /// is off in the config or does not list them (no UPnP, or no answer).
    static func routerForwards(_ settings: RouterSettings) async -> [RouterForward]? {
        guard settings.enabled else { return nil }
        let mapper = PortMapper(configuration: NetworkComponents.mapperConfiguration(settings), logger: Logger(label: "portmap"))
        return try? await mapper.existingForwards()
    }

    /// STUN from one local port to the configured servers (IPv4: RustDesk's hole punching).
    static func natSteps(config: HomeportConfig, families: [IPFamily]) -> [CheckStep] {
        guard families.contains(.ipv4), config.check.stun.count >= 2 else { return [] }
        let servers = config.check.stun.map { STUNServer(host: $0.host, port: $0.port) }
        return [CheckStep(id: "nat.mapping", topic: .nat, title: "NAT mapping behaviour (STUN)", deadline: .seconds(6)) {
            [NATFindings.finding(await NATMappingProbe().probe(servers: servers, timeout: .seconds(3)))]
        }]
    }

    /// The daemon and its children: their sockets are homeport's own.
    static func ownPIDs(_ status: DaemonStatus?) -> Set<Int32> {
        guard let status, status.daemon.running else { return [getpid()] }
        return Set([status.daemon.pid, getpid()].compactMap { $0 } + status.services.compactMap(\.pid))
    }

    static func ownExecutable() -> String? {
        #if os(Linux)
        return try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        #else
        return nil
        #endif
    }

    /// One step per DDNS hostname and family: does it point at home now?
    static func dnsSteps(config: HomeportConfig, families: [IPFamily], status: DaemonStatus?, now: Date) -> [CheckStep] {
        var names: [DNSFindings.Name] = []
        for entry in config.ddns {
            for hostname in entry.hostnames {
                if entry.ipv4, families.contains(.ipv4) { names.append(.init(hostname: hostname, family: .ipv4)) }
                if entry.ipv6, families.contains(.ipv6) { names.append(.init(hostname: hostname, family: .ipv6)) }
            }
        }
        return names.map { name in
            let type = name.family == .ipv4 ? "A" : "AAAA"
            return CheckStep(id: "dns.\(name.hostname).\(type.lowercased())", topic: .dns, title: "\(name.hostname) \(type)", deadline: .seconds(6)) {
                let answers = await DNSFindings.lookUp(name)
                let expected = name.family == .ipv4 ? status?.publicIP?.ipv4 : status?.publicIP?.ipv6
                let record = status?.ddns?.first { $0.hostname == name.hostname && $0.family == name.family }
                return [DNSFindings.finding(name, answers: answers, expected: expected, record: record, now: now)]
            }
        }
    }

    /// The running daemon's status, or the history's last known state when it is down; nil
    /// when neither is there. Bounded: a daemon that does not answer within 2 s counts as down.
    static func status(stateDirectory: String) async -> DaemonStatus? {
        let layout = StateLayout(directory: stateDirectory)
        if let reply = try? await ControlClient.request(socketPath: layout.controlSocket, command: "status", timeout: .seconds(2)),
           let status = try? StatusJSON.decoder().decode(DaemonStatus.self, from: Data(reply)) {
            return status
        }
        guard let history = try? HistoryStore(path: layout.historyDatabase, readOnly: true) else { return nil }
        return OfflineStatus.build(history: history, stateDirectory: stateDirectory, configFile: nil)
    }
}
