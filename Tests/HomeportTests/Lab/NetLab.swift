import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A home network in Linux network namespaces, built and removed by the test that uses it:
///
///     internet ── [upstream NAT] ── router ── home
///
/// - internet: documentation ranges only; nginx IP echo services on 203.0.113.10 and
///   198.51.100.10 (`NetLabAddressPlan.echoURLs`); a STUN server (stund) on 203.0.113.20 and
///   .21 when the router uses STUN or the setup asks for it.
/// - upstream (optional): a carrier NAT (router WAN in 100.64.0.0/10), the ISP's router of a
///   double NAT (router WAN in 10/8), or a NAT in front of a public-looking WAN address.
/// - router: masquerade, a drop-by-default forward chain, and the real miniupnpd (UPnP IGD,
///   NAT-PMP, PCP) unless the setup says the router speaks none of them.
/// - home: 192.168.x.2, where homeport runs (`homeport(_:)`, `startHomeport(_:)`).
///
/// Use `NetLab.with(_:_:)`: it removes the namespaces and ends every process in them even when
/// the test throws. Namespace names carry the test process's pid, so labs of concurrent suites
/// never clash and a lab left behind by a crashed run is removed by the next one.
final class NetLab: Sendable {
    enum Host: String, CaseIterable, Sendable {
        case internet = "inet"
        case upstream = "isp"
        case router
        case home
    }

    /// What sits between the home router and the internet.
    enum Upstream: Sendable, Equatable {
        /// The router's WAN is a public address on the internet's link.
        case none
        /// Carrier-grade NAT: the router's WAN is in 100.64.0.0/10. Its filtering is
        /// endpoint-dependent: only replies from where a flow went come back in.
        case carrierNAT
        /// Carrier-grade NAT that lets anyone send UDP to a port a flow from inside left from
        /// (endpoint-independent filtering, RFC 4787 section 5). miniupnpd's STUN test passes
        /// through it, so a STUN router takes it for a 1:1 NAT and grants mappings that nobody
        /// outside can reach: nothing it did not send first gets in.
        case carrierNATEndpointIndependent
        /// Double NAT: the router's WAN is behind another (ISP-supplied) NAT router, in 10/8.
        case upstreamRouter
        /// The router's WAN is a public 198.51.100.x address, but a NAT in front rewrites to its
        /// own 203.0.113.x: the router's report and the outside view disagree.
        case publicAddressNAT
    }

    enum RouterDaemon: Sendable, Equatable {
        case miniupnpd
        /// A router that speaks no UPnP, NAT-PMP or PCP.
        case none
        /// miniupnpd patched to accept mappings on a carrier-NAT (100.64.0.0/10) WAN address, so
        /// it reports that address and maps ports nobody outside can reach.
        case miniupnpdAcceptingCarrierNAT
        /// The real miniupnpd 2.3.1 with `ext_perform_stun` against the lab's STUN server: it
        /// reports the address the STUN server saw (the carrier NAT's outside address) and maps
        /// only when STUN's filtering test got all four answers (miniupnpd 2.3.1, upnpstun.c
        /// `perform_stun`); otherwise it refuses (UPnP 501, NAT-PMP 3, PCP NO_RESOURCES).
        case miniupnpdWithSTUN
    }

    /// How the home router translates what leaves the LAN.
    enum RouterNAT: Sendable, Equatable {
        /// `masquerade`: Linux keeps the source port when it is free, so one local port keeps
        /// one public port for every destination (endpoint-independent mapping).
        case masquerade
        /// `masquerade random,fully-random`: every new flow gets a random public port, so the
        /// mapping differs per destination (a symmetric NAT).
        case masqueradeRandomPorts
        /// No translation: the internet routes the LAN's subnet to the router (upstream `.none` only).
        case none
    }

    struct Setup: Sendable {
        var upstream: Upstream = .none
        var router: RouterDaemon = .miniupnpd
        var routerNAT: RouterNAT = .masquerade
        /// Whether stund runs on the internet (`NetLabAddressPlan.stunAddresses`) even though the
        /// router does not use STUN.
        var stunServers = false
        /// miniupnpd's `secure_mode`: a UPnP client may map only to its own address. Off lets a
        /// test make a forward to another LAN address, as a user on the router's page can.
        var routerSecureMode = true

        init(upstream: Upstream = .none, router: RouterDaemon = .miniupnpd, routerNAT: RouterNAT = .masquerade, stunServers: Bool = false,
             routerSecureMode: Bool = true) {
            self.upstream = upstream
            self.router = router
            self.routerNAT = routerNAT
            self.stunServers = stunServers
            self.routerSecureMode = routerSecureMode
        }

        var runsSTUNServers: Bool { stunServers || router == .miniupnpdWithSTUN }
    }

    /// miniupnpd's HTTP port (fixed: the router namespace is the lab's own).
    static let upnpHTTPPort = 5000
    static let namespacePrefix = "hpl-"

    let setup: Setup
    let plan: NetLabAddressPlan
    let dir: TemporaryDirectory
    /// Namespace name per host; hosts the setup does not have are absent.
    let namespaces: [Host: String]

    private struct State {
        var wanAddress: String
        var processes: [String: LabProcess] = [:]
        var usedSourcePorts: Set<Int> = []
        var createdNamespaces: [String] = []
        var tornDown = false
    }

    private let state: Mutex<State>

    private init(setup: Setup) {
        self.setup = setup
        plan = NetLabAddressPlan.random(for: setup.upstream)
        dir = TemporaryDirectory()
        let tag = "\(Self.namespacePrefix)\(getpid())-\(String(UInt32.random(in: 0...0xFFFF_FFFF), radix: 16))"
        var names: [Host: String] = [:]
        for host in Host.allCases where host != .upstream || setup.upstream != .none {
            names[host] = "\(tag)-\(host.rawValue)"
        }
        namespaces = names
        state = Mutex(State(wanAddress: plan.routerWAN.address))
    }

    // MARK: Lifecycle

    /// Builds a lab, runs `body` with it, and removes it, whether `body` returns or throws.
    static func with<Result>(_ setup: Setup = Setup(), _ body: (NetLab) async throws -> Result) async throws -> Result {
        let lab = try await start(setup)
        do {
            let result = try await body(lab)
            await lab.tearDown()
            return result
        } catch {
            await lab.tearDown()
            throw error
        }
    }

    /// Builds and starts a lab; the caller must `tearDown()` it (prefer `with`).
    static func start(_ setup: Setup = Setup()) async throws -> NetLab {
        await removeAbandonedLabs()
        let lab = NetLab(setup: setup)
        do {
            try await lab.build()
            return lab
        } catch {
            let logs = lab.daemonLogs
            await lab.tearDown()
            throw TestFailure("\(error)\n\(logs)")
        }
    }

    /// Ends every process in the lab's namespaces, deletes them and the lab's directory.
    /// Safe to call more than once.
    func tearDown() async {
        let (processes, created) = state.withLock { state -> ([LabProcess], [String]) in
            if state.tornDown { return ([], []) }
            state.tornDown = true
            return (Array(state.processes.values), state.createdNamespaces)
        }
        for process in processes { process.signal(SIGTERM) }
        await Self.removeNamespaces(created)
        for process in processes { _ = await process.wait(timeout: .seconds(2)) }
        dir.remove()
    }

    /// Kills what runs in `names` (SIGTERM, then SIGKILL) and deletes the namespaces.
    static func removeNamespaces(_ names: [String]) async {
        var pids: [Int32] = []
        for name in names {
            let listed = (try? await LabTools.run(["ip", "netns", "pids", name], timeout: 10))?.stdout ?? ""
            pids += listed.split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
        }
        for pid in pids { kill(pid, SIGTERM) }
        if !(await eventually(timeout: .seconds(3), every: .milliseconds(20)) { pids.allSatisfy { !processExists($0) } }) {
            for pid in pids where processExists(pid) { kill(pid, SIGKILL) }
            _ = await eventually(timeout: .seconds(2), every: .milliseconds(20)) { pids.allSatisfy { !processExists($0) } }
        }
        for name in names {
            _ = try? await LabTools.run(["ip", "netns", "del", name], timeout: 10)
        }
    }

    /// Namespaces of labs whose test process is gone (a crash, a kill -9 of the runner).
    static func removeAbandonedLabs() async {
        let listed = (try? await LabTools.run(["ip", "netns", "list"], timeout: 10))?.stdout ?? ""
        let abandoned = listed.split(separator: "\n").compactMap { line -> String? in
            let name = String(line.split(separator: " ").first ?? "")
            guard name.hasPrefix(namespacePrefix),
                  let pid = Int32(name.dropFirst(namespacePrefix.count).prefix { $0.isNumber }) else { return nil }
            return processExists(pid) ? nil : name
        }
        if !abandoned.isEmpty { await removeNamespaces(abandoned) }
    }

    // MARK: Addresses

    /// The router's current WAN address.
    var routerWANAddress: String { state.withLock { $0.wanAddress } }

    /// The address the internet sees the home network as: the router's WAN, or the upstream
    /// NAT's outside address.
    var publicAddress: String { plan.upstreamOutside?.address ?? routerWANAddress }

    var homeAddress: String { plan.home }
    var routerLANAddress: String { plan.routerLAN }
    var rootDescURL: String { "http://\(plan.routerLAN):\(Self.upnpHTTPPort)/rootDesc.xml" }

    func namespace(_ host: Host) throws -> String {
        guard let name = namespaces[host] else { throw TestFailure("lab: this setup has no \(host.rawValue) namespace") }
        return name
    }

    // MARK: Running things

    /// Runs a command inside `host`'s namespace to completion.
    func exec(_ host: Host, _ arguments: [String], input: String? = nil, timeout: Int = 30,
              environment: [String: String] = [:]) async throws -> Homeport.Output {
        guard let program = arguments.first else { throw TestFailure("lab: empty command") }
        let argv = ["ip", "netns", "exec", try namespace(host), try LabTools.path(program)] + arguments.dropFirst()
        return try await LabTools.run(argv, input: input, timeout: timeout, environment: environment)
    }

    /// Like `exec`, but a non-zero exit throws with the command's output.
    @discardableResult
    func mustExec(_ host: Host, _ arguments: [String], input: String? = nil, timeout: Int = 30) async throws -> String {
        let output = try await exec(host, arguments, input: input, timeout: timeout)
        guard output.exitCode == 0 else {
            throw TestFailure("lab: `\(arguments.joined(separator: " "))` in \(host.rawValue) failed (\(output.status)): \(output.combined)")
        }
        return output.stdout
    }

    /// Starts a long-running program in `host`; it is ended at teardown at the latest.
    /// `name` must be unique in the lab (it names the log file, `<name>.log`).
    func startProcess(_ name: String, in host: Host, _ arguments: [String],
                      environment: [String: String] = [:]) async throws -> LabProcess {
        let process = try await LabProcess.start(name: name, namespace: try namespace(host), arguments,
                                                 logPath: dir.file("\(name).log"), environment: environment)
        state.withLock { $0.processes[name] = process }
        return process
    }

    func recordCreatedNamespace(_ name: String) {
        state.withLock { $0.createdNamespaces.append(name) }
    }

    func process(_ name: String) -> LabProcess? {
        state.withLock { $0.processes[name] }
    }

    /// The logs of the lab's own daemons, for failure messages.
    var daemonLogs: String {
        let processes = state.withLock { Array($0.processes.values) }
        return processes.sorted { $0.name < $1.name }.map { "--- \($0.name).log\n\($0.log.suffix(4000))" }.joined(separator: "\n")
    }

    /// A source port no earlier probe of this lab used: conntrack keeps a UDP flow (and its
    /// removed mapping) alive, so "unreachable now" must be tested from a new flow.
    func freshSourcePort() -> Int {
        state.withLock { state in
            var port = Int.random(in: 40_000...59_999)
            while state.usedSourcePorts.contains(port) { port = Int.random(in: 40_000...59_999) }
            state.usedSourcePorts.insert(port)
            return port
        }
    }

    // MARK: Changing the network

    /// Gives the router a new WAN address (one atomic `ip -batch`, ~ms). miniupnpd reads the
    /// interface address on every request and watches netlink, so it reports the new address
    /// at once and multicasts NAT-PMP/PCP announcements on the LAN.
    func changeWANAddress(to address: String) async throws {
        let wan = try plan.wanInterface(for: address)
        let batch = """
        addr flush dev wan
        addr add \(wan.address)/\(wan.prefixLength) dev wan
        route replace default via \(wan.gateway)

        """
        try await LabTools.mustRun(["ip", "-n", try namespace(.router), "-batch", "-"], input: batch)
        state.withLock { $0.wanAddress = wan.address }
    }

    /// A WAN address the router does not have now (see `NetLabAddressPlan.anotherWANAddress`).
    func anotherWANAddress() -> String {
        plan.anotherWANAddress(than: routerWANAddress)
    }
}
