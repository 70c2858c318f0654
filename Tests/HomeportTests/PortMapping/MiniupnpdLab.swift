import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Three network namespaces (wan, router, home) with real miniupnpd on the router, created and
/// removed by the test. The home host is 192.168.77.2 behind the router's 192.168.77.1; the
/// router's WAN address is chosen per test (a reserved one reproduces CGNAT behaviour).
struct MiniupnpdLab {
    let id: String
    let directory: TemporaryDirectory
    var wan: String { "hpm\(id)w" }
    var router: String { "hpm\(id)r" }
    var home: String { "hpm\(id)h" }

    static var available: Bool { ToolRequirement.miniupnpd.shouldRun() }

    static func start(wanAddress: String, wanGateway: String) async throws -> MiniupnpdLab {
        try ToolRequirement.miniupnpd.check()
        let lab = MiniupnpdLab(id: String(UInt32.random(in: 0...0xFFFFFF), radix: 16), directory: TemporaryDirectory())
        let d = lab.directory.path
        let script = """
        set -e
        for ns in \(lab.wan) \(lab.router) \(lab.home); do ip netns add $ns; ip -n $ns link set lo up; done
        ip -n \(lab.router) link add lan0 type veth peer name eth0 netns \(lab.home)
        ip -n \(lab.router) link add wan0 type veth peer name eth0 netns \(lab.wan)
        ip -n \(lab.router) addr add 192.168.77.1/24 dev lan0
        ip -n \(lab.router) addr add \(wanAddress)/24 dev wan0
        ip -n \(lab.wan) addr add \(wanGateway)/24 dev eth0
        ip -n \(lab.home) addr add 192.168.77.2/24 dev eth0
        ip -n \(lab.router) link set lan0 up; ip -n \(lab.router) link set wan0 up
        ip -n \(lab.home) link set eth0 up; ip -n \(lab.wan) link set eth0 up
        ip -n \(lab.home) route add default via 192.168.77.1
        ip -n \(lab.router) route add default via \(wanGateway)
        ip netns exec \(lab.router) sysctl -qw net.ipv4.ip_forward=1
        ip netns exec \(lab.router) nft -f - <<'NFT'
        table inet filter {
          chain miniupnpd { }
          chain prerouting_miniupnpd { }
          chain postrouting_miniupnpd { }
          chain forward { type filter hook forward priority 0; policy accept; jump miniupnpd; }
          chain prerouting { type nat hook prerouting priority -100; jump prerouting_miniupnpd; }
          chain postrouting { type nat hook postrouting priority 100; jump postrouting_miniupnpd; meta nfproto ipv4 oifname "wan0" masquerade; }
        }
        NFT
        cat > \(d)/miniupnpd.conf <<CONF
        ext_ifname=wan0
        listening_ip=lan0
        enable_natpmp=yes
        enable_upnp=yes
        secure_mode=yes
        uuid=3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b
        allow 1024-65535 192.168.77.0/24 1024-65535
        deny 0-65535 0.0.0.0/0 0-65535
        CONF
        ip netns exec \(lab.router) setsid /usr/sbin/miniupnpd -d -f \(d)/miniupnpd.conf -P \(d)/miniupnpd.pid > \(d)/miniupnpd.log 2>&1 < /dev/null &
        """
        let output = try await Programs.run("/bin/sh", ["-c", script])
        guard output.exitCode == 0 else {
            await lab.remove()
            throw TestFailure("lab setup failed: \(output.stderr)")
        }
        // miniupnpd is ready once it listens for NAT-PMP/PCP.
        let ready = await eventually(timeout: .seconds(10)) { lab.routerLog.contains("Listening for NAT-PMP/PCP traffic") }
        guard ready else {
            let log = lab.routerLog
            await lab.remove()
            throw TestFailure("miniupnpd did not start: \(log)")
        }
        return lab
    }

    var routerLog: String { (try? String(contentsOfFile: directory.file("miniupnpd.log"), encoding: .utf8)) ?? "" }

    /// Moves the router's WAN to another address in the same /24 as before or a new one.
    func changeWAN(from old: String, to new: String, gateway: String) async throws {
        let script = """
        ip -n \(router) addr del \(old)/24 dev wan0
        ip -n \(wan) addr add \(gateway)/24 dev eth0 2>/dev/null || true
        ip -n \(router) addr add \(new)/24 dev wan0
        ip -n \(router) route replace default via \(gateway)
        """
        let output = try await Programs.run("/bin/sh", ["-c", script])
        guard output.exitCode == 0 else { throw TestFailure("WAN change failed: \(output.stderr)") }
    }

    /// Runs one PortMappingLabDriver test inside the home namespace and returns what it wrote.
    func runDriver(_ name: String, environment: [String: String] = [:]) async throws -> (output: String, result: Data) {
        let out = directory.file("\(name).json")
        var env = ["HOMEPORT_PM_DRIVER=\(name)", "HOMEPORT_PM_OUT=\(out)", "HOMEPORT_PM_DIR=\(directory.path)"]
        env += environment.map { "\($0.key)=\($0.value)" }
        let run = try await Programs.run("/usr/sbin/ip", ["netns", "exec", home, "/usr/bin/env"] + env +
                                         [Self.testBinary, "--testing-library", "swift-testing", "--filter", "PortMappingLabDriver"])
        let text = run.stdout + run.stderr
        guard let data = FileManager.default.contents(atPath: out) else {
            throw TestFailure("driver \(name) wrote no result:\n\(text.suffix(4000))")
        }
        return (text, data)
    }

    /// The test bundle itself, so a driver test can run inside the home namespace.
    static var testBinary: String {
        let own = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        if own.hasSuffix(".xctest") { return own }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/homeportPackageTests.xctest").path
    }

    func remove() async {
        let script = """
        for ns in \(home) \(router) \(wan); do for p in $(ip netns pids $ns 2>/dev/null); do kill $p 2>/dev/null; done; done
        sleep 0.3
        for ns in \(home) \(router) \(wan); do for p in $(ip netns pids $ns 2>/dev/null); do kill -9 $p 2>/dev/null; done; ip netns del $ns 2>/dev/null; done
        true
        """
        _ = try? await Programs.run("/bin/sh", ["-c", script])
        directory.remove()
    }
}
