import Foundation

/// The internet's authoritative DNS server: a real BIND 9 `named` serving `home.test.` on the
/// first echo address, port 53, accepting TSIG-signed RFC 2136 updates (the same zone and keys
/// as `NamedServer`). homeport in the home namespace updates it through the router's NAT, as it
/// would update a DNS server on the real internet.
extension NetLab {
    struct DNSServer: Sendable {
        let address: String
        let secret: String
        let secretFile: String
    }

    /// Starts named in the internet namespace and waits until it answers on TCP and UDP 53.
    func startDNSServer() async throws -> DNSServer {
        try ToolRequirement.named.check()
        let address = NetLabAddressPlan.echoAddresses[0]
        let directory = TemporaryDirectory(creating: dir.file("named"))
        let secret = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        NamedServer.writeFiles(in: directory, listenAddress: address, port: 53, secret: secret)
        let named = try await startProcess("named", in: .internet,
                                           [NamedServer.program, "-f", "-g", "-c", directory.file("named.conf")])
        try await waitForListener(in: .internet, .udp, port: 53, process: named)
        try await waitForListener(in: .internet, .tcp, port: 53, process: named)
        let secretFile = dir.write("tsig.secret", secret + "\n")
        return DNSServer(address: address, secret: secret, secretFile: secretFile)
    }

    /// The `[[ddns]]` entry that keeps `hostname` (in `home.test`) at homeport's public IPv4 address.
    func rfc2136Entry(_ server: DNSServer, hostname: String) -> String {
        """
        [[ddns]]
        provider = "rfc2136"
        hostnames = ["\(hostname)"]
        ipv6 = false
        server = "\(server.address)"
        zone = "home.test"
        key_name = "\(NamedServer.keyName)"
        key_secret = "file:\(server.secretFile)"

        """
    }

    /// The A records of `name` as the internet's DNS server answers them, sorted.
    func dnsARecords(_ server: DNSServer, _ name: String) async throws -> [String] {
        let output = try await mustExec(.internet, ["dig", "@\(server.address)", name, "A", "+short", "+norec", "+time=2", "+tries=1"])
        return output.split(whereSeparator: \.isNewline).map(String.init).sorted()
    }
}
