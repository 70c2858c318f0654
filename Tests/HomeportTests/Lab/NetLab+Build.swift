import Foundation

/// Building the namespaces, links, firewalls and daemons of a lab. Veth pairs are created from
/// inside a namespace straight into the next one, so no interface ever sits in the host's
/// namespace (where names of concurrent labs would clash).
extension NetLab {
    func build() async throws {
        for host in Host.allCases {
            guard let name = namespaces[host] else { continue }
            try await LabTools.mustRun(["ip", "netns", "add", name])
            recordCreatedNamespace(name)
        }
        try await buildInternet()
        if setup.upstream != .none { try await buildUpstream() }
        try await buildRouter()
        try await buildHome()
        try await startEchoServers()
        if setup.runsSTUNServers { try await startSTUNServer() }
        if setup.router != .none { try await startMiniupnpd() }
    }

    /// Runs `ip -n <host> -batch -` with one command per line.
    func ipBatch(_ host: Host, _ lines: [String]) async throws {
        try await LabTools.mustRun(["ip", "-n", try namespace(host), "-batch", "-"], input: lines.joined(separator: "\n") + "\n")
    }

    private func buildInternet() async throws {
        // The next hop down from the internet is the upstream NAT if there is one, else the router.
        let next = try namespace(setup.upstream == .none ? .router : .upstream)
        var lines = ["link set lo up"]
        lines += NetLabAddressPlan.echoAddresses.map { "addr add \($0)/32 dev lo" }
        if setup.runsSTUNServers {
            lines += NetLabAddressPlan.stunAddresses.map { "addr add \($0)/32 dev lo" }
        }
        lines.append("link add down0 type veth peer name wan netns \(next)")
        lines += plan.internetLinkAddresses.map { "addr add \($0) dev down0" }
        lines.append("link set down0 up")
        if setup.routerNAT == .none {
            guard setup.upstream == .none else { throw TestFailure("lab: a router without NAT needs upstream .none") }
            lines.append("route add \(plan.lanSubnet) via \(plan.routerWAN.address)")
        }
        try await ipBatch(.internet, lines)
    }

    private func buildUpstream() async throws {
        guard let outside = plan.upstreamOutside, let inside = plan.upstreamInside else { return }
        try await ipBatch(.upstream, [
            "link set lo up",
            "addr add \(outside.address)/\(outside.prefixLength) dev wan",
            "link set wan up",
            "route add default via \(outside.gateway)",
            "link add cust type veth peer name wan netns \(try namespace(.router))",
            "addr add \(inside.address)/\(inside.prefixLength) dev cust",
            "link set cust up",
        ])
        try await mustExec(.upstream, ["sysctl", "-qw", "net.ipv4.ip_forward=1"])
        let ruleset = setup.upstream == .carrierNATEndpointIndependent
            ? LabFiles.endpointIndependentUpstreamRuleset(outside: "wan", inside: "cust", customer: plan.routerWAN.address)
            : LabFiles.upstreamRuleset(outside: "wan", inside: "cust")
        try await loadRuleset(.upstream, name: "upstream.nft", ruleset)
    }

    private func buildRouter() async throws {
        let wan = plan.routerWAN
        try await ipBatch(.router, [
            "link set lo up",
            "addr add \(wan.address)/\(wan.prefixLength) dev wan",
            "link set wan up",
            "route add default via \(wan.gateway)",
            "link add lan type veth peer name eth0 netns \(try namespace(.home))",
            "addr add \(plan.routerLAN)/24 dev lan",
            "link set lan up",
        ])
        try await mustExec(.router, ["sysctl", "-qw", "net.ipv4.ip_forward=1"])
        try await loadRuleset(.router, name: "router.nft", LabFiles.routerRuleset(wan: "wan", lan: "lan", nat: setup.routerNAT))
    }

    private func buildHome() async throws {
        try await ipBatch(.home, [
            "link set lo up",
            "addr add \(plan.home)/24 dev eth0",
            "link set eth0 up",
            "route add default via \(plan.routerLAN)",
        ])
    }

    private func loadRuleset(_ host: Host, name: String, _ ruleset: String) async throws {
        let path = dir.write(name, ruleset)
        try await mustExec(host, ["nft", "-f", path])
    }

    private func startEchoServers() async throws {
        let nginxDirectory = dir.file("nginx")
        try FileManager.default.createDirectory(atPath: nginxDirectory, withIntermediateDirectories: true)
        let config = dir.write("nginx.conf", LabFiles.nginxConfig(directory: nginxDirectory, listen: NetLabAddressPlan.echoAddresses))
        let nginx = try await startProcess("nginx", in: .internet,
                                           ["nginx", "-p", nginxDirectory, "-e", nginxDirectory + "/error.log", "-c", config])
        try await waitForListener(in: .internet, .tcp, port: 80, process: nginx)
    }

    /// stund answers RFC 3489 binding requests, from its other address or port when asked to
    /// (CHANGE-REQUEST): the filtering test miniupnpd's STUN option makes.
    private func startSTUNServer() async throws {
        let (primary, alternate) = (NetLabAddressPlan.stunAddresses[0], NetLabAddressPlan.stunAddresses[1])
        let stund = try await startProcess("stund", in: .internet, ["stund", "-v", "-h", primary, "-a", alternate])
        try await waitForListener(in: .internet, .udp, port: 3479, process: stund)
    }

    private func startMiniupnpd() async throws {
        // A router whose WAN is meant to be public (documentation addresses) needs the patched
        // copy; carrier NAT and double NAT run the real 2.3.1 as it is, and so does the STUN
        // router, which takes the address STUN reports whatever range it is in.
        var binary = try LabTools.path("miniupnpd")
        if setup.router == .miniupnpdAcceptingCarrierNAT {
            let patched = dir.file("miniupnpd")
            try PatchedMiniupnpd.write(from: binary, to: patched, entries: PatchedMiniupnpd.neutralised + [PatchedMiniupnpd.carrierNAT])
            binary = patched
        } else if setup.upstream == .none || setup.upstream == .publicAddressNAT {
            let patched = dir.file("miniupnpd")
            try PatchedMiniupnpd.write(from: binary, to: patched)
            binary = patched
        }
        let config = dir.write("miniupnpd.conf", LabFiles.miniupnpdConfig(
            wan: "wan", lan: "lan", lanSubnet: plan.lanSubnet, httpPort: Self.upnpHTTPPort,
            uuid: UUID().uuidString.lowercased(), leaseFile: dir.file("miniupnpd.leases"),
            stunServer: setup.router == .miniupnpdWithSTUN ? NetLabAddressPlan.stunAddresses[0] : nil,
            secureMode: setup.routerSecureMode))
        let miniupnpd = try await startProcess("miniupnpd", in: .router,
                                               [binary, "-d", "-f", config, "-P", dir.file("miniupnpd.pid")])
        // STUN runs before miniupnpd listens: up to three rounds of 3 s when answers are
        // missing (upnpstun.c, wait_for_stun_responses), as behind a filtering NAT.
        let startup: Duration = setup.router == .miniupnpdWithSTUN ? .seconds(20) : .seconds(10)
        try await waitForListener(in: .router, .tcp, port: Self.upnpHTTPPort, process: miniupnpd, timeout: startup)
        try await waitForListener(in: .router, .udp, port: 5351, process: miniupnpd)
    }

    enum Transport: String, Sendable {
        case tcp, udp
    }

    /// Waits until something listens on `port` in `host`; fails early if `process` died.
    func waitForListener(in host: Host, _ transport: Transport, port: Int, process: LabProcess? = nil,
                         timeout: Duration = .seconds(10)) async throws {
        let flags = transport == .tcp ? "-Hltn" : "-Hlun"
        let listening = try await eventually(timeout: timeout, every: .milliseconds(20)) {
            if let process, !process.isRunning { return true }
            let output = try await exec(host, ["ss", flags, "sport = :\(port)"], timeout: 10)
            return !output.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        }
        if let process, !process.isRunning {
            throw TestFailure("lab: \(process.name) in \(host.rawValue) exited before listening on \(transport.rawValue) \(port):\n\(process.log)")
        }
        if !listening {
            throw TestFailure("lab: nothing listens on \(transport.rawValue) \(port) in \(host.rawValue) after \(timeout)\n\(daemonLogs)")
        }
    }
}
