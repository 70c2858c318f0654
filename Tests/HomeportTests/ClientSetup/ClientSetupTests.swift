import ClientSetup
import Config
import Foundation
import History
import InternetAddress
import Testing

/// The facts a RustDesk client needs, where the host comes from, and the key.
@Suite struct ClientSetupTests {
    static let key = ServerConfigStringTests.vectorKey

    static func setup(_ host: ServerHost, rendezvous: Int = 21116, relay: Int = 21117) -> ClientSetup {
        ClientSetup(host: host, hostSource: .option, rendezvousPort: rendezvous, relayPort: relay, publicKey: key)
    }

    @Test func defaultPortsGiveTheHostAloneAndUpstreamsVector() throws {
        let setup = Self.setup(.address("1.1.1.1"))
        #expect(setup.idServer == "1.1.1.1" && setup.relayServer == "1.1.1.1")
        #expect(setup.relayIsDerived)
        #expect(setup.configString == ServerConfigStringTests.vector)
        #expect(setup.rustdeskCommand == "rustdesk --config " + ServerConfigStringTests.vector)
        #expect(setup.qrText == "config=" + ServerConfigStringTests.vector)
    }

    @Test func otherPortsAppearAsHostColonPort() throws {
        let derived = Self.setup(.name("home.example.net"), rendezvous: 30000, relay: 30001)
        #expect(derived.idServer == "home.example.net:30000" && derived.relayServer == "home.example.net:30001")
        // The client derives 30001 from the ID server's port, so the string leaves the relay out.
        #expect(derived.serverConfig == RustDeskServerConfig(host: "home.example.net:30000", key: Self.key))

        let separate = Self.setup(.name("home.example.net"), rendezvous: 30000, relay: 30005)
        #expect(separate.serverConfig.json == #"{"host":"home.example.net:30000","relay":"home.example.net:30005","key":"\#(Self.key)"}"#)
        #expect(try RustDeskServerConfig(decoding: separate.configString) == separate.serverConfig)

        // The default relay port next to another ID server port must be written out too.
        let defaultRelay = Self.setup(.name("home.example.net"), rendezvous: 30000, relay: 21117)
        #expect(defaultRelay.serverConfig.relay == "home.example.net")
        let ipv6 = Self.setup(.address("2001:db8::7"), rendezvous: 30000, relay: 30005)
        #expect(ipv6.idServer == "[2001:db8::7]:30000" && ipv6.relayServer == "[2001:db8::7]:30005")
        #expect(Self.setup(.address("2001:db8::7")).idServer == "2001:db8::7")
    }

    @Test func theJSONHasSnakeCaseKeys() throws {
        let text = try Self.setup(.name("home.example.net")).jsonText()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["host", "host_source", "id_server", "relay_server", "api_server", "key", "config_string",
                                     "rustdesk_command", "qr_text", "warnings"])
        #expect(object["config_string"] as? String == Self.setup(.name("home.example.net")).configString)
        #expect(object["api_server"] as? String == "")
        #expect(text.contains("\n  "), "pretty-printed")
    }

    // MARK: Host choice

    static let ddns: [DDNSEntry] = [DDNSEntry(provider: "duckdns", hostnames: ["*.wild.example.net", "home.example.net"])]
    static let since = Date(timeIntervalSince1970: 1_700_000_000)
    static let addresses = [
        ServerHostChoice.PublicAddress(address: "2001:db8::9", since: since),
        ServerHostChoice.PublicAddress(address: IPAddress(198, 51, 100, 7), since: since),
    ]

    @Test func hostOptionComesFirst() throws {
        let choice = try ServerHostChoice.choose(option: "Desk.Example.COM.", ddns: Self.ddns, publicAddresses: Self.addresses, configFile: nil)
        #expect(choice.host == .name("desk.example.com") && choice.source == .option && choice.warnings.isEmpty)
    }

    @Test func thenTheFirstUsableDDNSHostname() throws {
        let choice = try ServerHostChoice.choose(option: nil, ddns: Self.ddns, publicAddresses: Self.addresses, configFile: nil)
        #expect(choice.host == .name("home.example.net") && choice.source == .ddns(provider: "duckdns") && choice.warnings.isEmpty)
    }

    @Test func thenThePublicAddressWithAWarningThatItChanges() throws {
        let choice = try ServerHostChoice.choose(option: nil, ddns: [], publicAddresses: Self.addresses, configFile: nil)
        #expect(choice.host == .address(IPAddress(198, 51, 100, 7)), "IPv4 before IPv6")
        #expect(choice.source == .publicAddress(since: Self.since))
        #expect(choice.warnings.count == 1)
        #expect(choice.warnings.first?.contains("198.51.100.7") == true && choice.warnings.first?.contains("changes") == true)
        #expect(choice.warnings.first?.contains("[[ddns]]") == true && choice.warnings.first?.contains("--host") == true)
        let ipv6Only = try ServerHostChoice.choose(option: nil, ddns: [], publicAddresses: [Self.addresses[0]], configFile: nil)
        #expect(ipv6Only.host == .address("2001:db8::9"))
    }

    @Test func nothingToGoOnIsAnErrorSayingWhatToDo() {
        do {
            _ = try ServerHostChoice.choose(option: nil, ddns: [DDNSEntry(provider: "duckdns", hostnames: [])], publicAddresses: [],
                                            configFile: "/etc/homeport/homeport.toml", historyProblem: "No history yet: /x does not exist.")
            Issue.record("no error")
        } catch {
            let text = error.description
            #expect(text.contains("no [[ddns]] hostname in /etc/homeport/homeport.toml"), "\(text)")
            #expect(text.contains("(No history yet: /x does not exist)"), "\(text)")
            #expect(text.contains("--host NAME") && text.contains("homeport run"), "\(text)")
        }
    }

    @Test(arguments: [
        ("home.example.net:21116", "without a port"),
        ("bad host", "' ' cannot appear"),
        ("", "it is empty"),
        ("a..b", "empty label"),
        ("-a.example", "begins or ends with '-'"),
        ("bücher.example", "xn--"),
    ])
    func aBadHostOptionIsRefused(text: String, reason: String) {
        #expect {
            _ = try ServerHostChoice.choose(option: text, ddns: [], publicAddresses: [], configFile: nil)
        } throws: { error in
            guard let error = error as? ClientSetupError, case .invalidHost(text, let problem) = error else { return false }
            return problem.contains(reason) && error.description.hasPrefix("--host '\(text)'")
        }
    }

    @Test func bracketedIPv6AndAPrivateAddressWarning() throws {
        let v6 = try ServerHostChoice.choose(option: "[2001:db8::1]", ddns: [], publicAddresses: [], configFile: nil)
        #expect(v6.host == .address("2001:db8::1") && v6.warnings.isEmpty)
        let lan = try ServerHostChoice.choose(option: "192.168.1.20", ddns: [], publicAddresses: [], configFile: nil)
        #expect(lan.warnings == ["192.168.1.20 is a private address: only clients on the same network can reach it."])
    }

    // MARK: Loading from the configuration, the key files and the history

    @Test func aMissingKeyFileNamesThePathAndKeygen() {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        do {
            _ = try ClientSetup.load(config: HomeportConfig(), stateDirectory: directory.path, host: "home.example.net")
            Issue.record("no error")
        } catch {
            #expect(error == .keyMissing(path: directory.file("id_ed25519")))
            #expect(error.description.contains(directory.file("id_ed25519")) && error.description.contains("`homeport keygen`"))
        }
    }

    @Test func anUnusableKeyFileSaysWhy() {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        _ = directory.write("id_ed25519", "not base64!")
        #expect(throws: ClientSetupError.keyUnusable("the server key file \(directory.file("id_ed25519")) is malformed: it is not base64 text.")) {
            try ClientSetup.load(config: HomeportConfig(), stateDirectory: directory.path, host: "home.example.net")
        }
    }

    @Test func theHistoryGivesThePublicAddressAndTheConfigurationThePorts() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        _ = directory.write("id_ed25519", RustDeskWireKeyTests.secretBase64)
        let history = try HistoryStore(path: directory.file("history.sqlite3"))
        try await history.recordIPIfChanged(IPObservation(time: Self.since, address: IPAddress(203, 0, 113, 9), source: "test"))
        var config = try ConfigLoader.parse(text: "[rendezvous]\nport = 30000\n[relay]\nenabled = false\nport = 30005\n", file: "/test/homeport.toml")
        config.ddns = []
        let setup = try ClientSetup.load(config: config, stateDirectory: directory.path, host: nil)
        #expect(setup.host == .address(IPAddress(203, 0, 113, 9)) && setup.hostSource == .publicAddress(since: Self.since))
        #expect(setup.publicKey == RustDeskWireKeyTests.publicBase64)
        #expect(setup.idServer == "203.0.113.9:30000" && setup.relayServer == "203.0.113.9:30005")
        #expect(setup.warnings.count == 2)
        #expect(setup.warnings.contains { $0.contains("[relay] enabled = false") })

        // Without a history the error says why no address is known.
        let empty = TemporaryDirectory()
        defer { empty.remove() }
        _ = empty.write("id_ed25519", RustDeskWireKeyTests.secretBase64)
        #expect {
            _ = try ClientSetup.load(config: config, stateDirectory: empty.path, host: nil)
        } throws: { error in
            "\(error)".contains("No history yet: \(empty.file("history.sqlite3")) does not exist")
        }
        // So does it when the [[ddns]] entries name only wildcards (once the history went unread then).
        config.ddns = [DDNSEntry(provider: "duckdns", hostnames: ["*.example.net"])]
        #expect {
            _ = try ClientSetup.load(config: config, stateDirectory: empty.path, host: nil)
        } throws: { error in
            "\(error)".contains("No history yet: \(empty.file("history.sqlite3")) does not exist")
        }
    }
}
