import Testing
@testable import Config

/// `[check] stun`: the STUN servers of the NAT-behaviour check, and what a bad entry is told.
@Suite struct CheckSettingsTests {
    static func parse(_ text: String) throws(ConfigError) -> CheckSettings {
        try ConfigLoader.parse(text: text, file: "/etc/homeport/homeport.toml").check
    }

    @Test func defaultsAreTwoPublicServersOfDifferentOperators() throws {
        #expect(try Self.parse("").stun == [HostPort(host: "stun.l.google.com", port: 19302), HostPort(host: "stun.cloudflare.com", port: 3478)])
        #expect(ConfigSummary.lines(.embeddedDefaults).contains("[check] stun=stun.l.google.com:19302,stun.cloudflare.com:3478"))
    }

    @Test func entriesMayNameHostsAddressesAndPorts() throws {
        let check = try Self.parse("[check]\nstun = [\"stun.example.net\", \"192.0.2.7:3479\", \"[2001:db8::7]:5349\", \"[2001:db8::8]\", \"stun.example.org.:19302\"]\n")
        #expect(check.stun == [
            HostPort(host: "stun.example.net", port: 3478), HostPort(host: "192.0.2.7", port: 3479),
            HostPort(host: "2001:db8::7", port: 5349), HostPort(host: "2001:db8::8", port: 3478), HostPort(host: "stun.example.org.", port: 19302),
        ])
        #expect(check.stun.map(\.description) == ["stun.example.net:3478", "192.0.2.7:3479", "[2001:db8::7]:5349", "[2001:db8::8]:3478", "stun.example.org.:19302"])
    }

    @Test func anEmptyListTurnsTheCheckOff() throws {
        let config = try ConfigLoader.parse(text: "[check]\nstun = []\n", file: "homeport.toml")
        #expect(config.check.stun.isEmpty)
        #expect(ConfigSummary.lines(config).contains("[check] stun=[] (NAT-behaviour check off)"))
    }

    static let bad: [(String, Int, String)] = [
        ("[check]\nstun = \"stun.example.net\"\n", 2, "'stun' in [check] must be an array of strings"),
        ("[check]\n\nstun = [\"stun.example.net:0\", \"b.example\"]\n", 3, "the port must be a number from 1 to 65535, not '0'"),
        ("[check]\nstun = [\"a.example:x\", \"b.example\"]\n", 2, "the port must be a number from 1 to 65535, not 'x'"),
        ("[check]\nstun = [\"2001:db8::7\", \"b.example\"]\n", 2, "write an IPv6 address in brackets, such as [2001:db8::7]:3478"),
        ("[check]\nstun = [\"[stun.example]:3478\", \"b.example\"]\n", 2, "only an IPv6 address goes in brackets"),
        ("[check]\nstun = [\"[2001:db8::7:3478\", \"b.example\"]\n", 2, "opens a bracket for an IPv6 address but does not close it"),
        ("[check]\nstun = [\"stun_server.example\", \"b.example\"]\n", 2, "'stun_server.example' is not a host name"),
        ("[check]\nstun = [\"stun.example.net\", \"\"]\n", 2, "\"\" is not a host name or address"),
        ("[check]\nstun = [\"udp://stun.example.net\", \"b.example\"]\n", 2, "the port must be a number from 1 to 65535"),
        ("[check]\nstun = [\"stun.example.net\"]\n", 2, "needs two or more STUN servers to compare the mappings they see (or [] to skip the NAT-behaviour check), not only stun.example.net:3478"),
        ("[check]\nstun = [\"a.example\", \"a.example:3478\"]\n", 2, "lists a.example:3478 twice"),
        ("[check]\nstn = []\n", 2, "unknown key 'stn' in [check] (did you mean 'stun'?); valid keys: probe, probe_token_file, stun"),
        ("[check]\nprobe = \"vps.example.net:21120\"\n", 2, "'probe' in [check] must be the probe's URL, such as \"https://vps.example.net:21120\""),
        ("[check]\nprobe_token_file = \"probe.token\"\n", 2, "'probe_token_file' in [check] must be an absolute path"),
        ("check = 1\n", 1, "'check' must be a table ([check])"),
    ]

    @Test(arguments: bad.indices)
    func badEntriesNameFileLineAndWhatIsValid(_ index: Int) {
        let (text, line, fragment) = Self.bad[index]
        do {
            let check = try Self.parse(text)
            Issue.record("expected an error for:\n\(text)\ngot \(check)")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.description.hasPrefix("/etc/homeport/homeport.toml:\(line): "), "\(error)")
            #expect(error.description.contains(fragment), "\(error.description) should contain \(fragment)")
            // A broken list leaves the defaults, so `config check` goes on with the rest.
            #expect(error.partial?.check == CheckSettings())
        }
    }
}
