import Config
import Daemon
import Testing

/// `[probe]` in homeport.toml: defaults, values, and errors naming the line and what is valid.
@Suite struct ProbeConfigTests {
    @Test("[probe] is off by default and reads every key")
    func readsEveryKey() throws {
        #expect(HomeportConfig().probe.enabled == false)
        let config = try ConfigLoader.parse(text: """
        [probe]
        enabled = true
        listen = "[2001:db8::5]:8443"
        token_file = "/etc/homeport/probe.token"
        requests_per_minute = 12
        max_concurrent = 4
        port_timeout = "1500ms"
        """, file: "h.toml")
        #expect(config.probe.enabled)
        #expect(config.probe.listenHost == "2001:db8::5")
        #expect(config.probe.listenPort == 8443)
        #expect(config.probe.tokenFile == "/etc/homeport/probe.token")
        #expect(config.probe.requestsPerMinute == 12)
        #expect(config.probe.maxConcurrent == 4)
        #expect(config.probe.portTimeout == .milliseconds(1500))
        let bare = try ConfigLoader.parse(text: "[probe]\nlisten = \"21999\"\n", file: "h.toml")
        #expect(bare.probe.listenPort == 21999)
        #expect(bare.probe.listenHost == "::")
    }

    @Test("bad [probe] values name the file, the line and what would be valid")
    func badValues() {
        let cases: [(String, String)] = [
            ("listen = \"localhost:21120\"", "h.toml:3: 'listen' in [probe] has \"localhost\", which is not an IPv4 address"),
            ("listen = \"0.0.0.0:99999\"", "h.toml:3: 'listen' in [probe] has no port from 1 to 65535"),
            ("listen = \"[zz]:21120\"", "which is not an IPv6 address"),
            ("token_file = \"probe.token\"", "h.toml:3: 'token_file' in [probe] must be an absolute path"),
            ("requests_per_minute = 0", "h.toml:3"),
            ("port_timeout = \"20s\"", "h.toml:3"),
            ("listen = \"0.0.0.0:21117\"", "[probe] would listen on TCP port 21117, which the built-in relay server takes"),
            ("lissen = \"0.0.0.0:21120\"", "lissen"),
        ]
        for (line, expected) in cases {
            do {
                _ = try ConfigLoader.parse(text: "[probe]\nenabled = true\n\(line)\n", file: "h.toml")
                Issue.record("accepted \(line)")
            } catch {
                #expect("\(error)".contains(expected), "\(line): \(error)")
            }
        }
    }

    @Test("with map_ports, an enabled probe's TCP port is mapped on the router; a disabled one is not")
    func routerMapsTheProbePort() throws {
        var config = try ConfigLoader.parse(text: "[probe]\nenabled = true\nlisten = \"0.0.0.0:21200\"\n", file: "h.toml")
        let probe = RouterPortPlan.entries(for: config).filter { $0.service == "probe" }
        #expect(probe.map(\.request.externalPort) == [21200])
        #expect(probe.map(\.request.proto) == [.tcp])
        config.probe.enabled = false
        #expect(RouterPortPlan.entries(for: config).allSatisfy { $0.service != "probe" })
    }
}
