import Foundation

/// Traffic through the lab: HTTP to the echo services, echo listeners in the home, and
/// connection attempts from the internet to the home network's public address.
extension NetLab {
    /// An HTTP/1.0 GET from `host`; the response body, trimmed, or nil when there was no 200.
    func httpGet(_ url: String, from host: Host = .home) async throws -> String? {
        guard let parsed = URL(string: url), let address = parsed.host else { throw TestFailure("lab: bad URL \(url)") }
        let port = parsed.port ?? 80
        let path = parsed.path.isEmpty ? "/" : parsed.path
        let request = "GET \(path) HTTP/1.0\r\nHost: \(address)\r\n\r\n"
        let output = try await exec(host, ["socat", "-t", "3", "-T", "5", "STDIO", "TCP4:\(address):\(port),connect-timeout=3"],
                                    input: request, timeout: 15)
        guard output.stdout.hasPrefix("HTTP/1.1 200") || output.stdout.hasPrefix("HTTP/1.0 200"),
              let split = output.stdout.range(of: "\r\n\r\n") else { return nil }
        return output.stdout[split.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts a TCP and a UDP echo server on `port` in the home and waits until both listen.
    func startEchoListeners(port: Int) async throws {
        let tcp = try await startProcess("echo-tcp-\(port)", in: .home, ["socat", "TCP4-LISTEN:\(port),fork,reuseaddr", "EXEC:cat"])
        // Each datagram gets a child that answers it and ends after 1 s without traffic.
        let udp = try await startProcess("echo-udp-\(port)", in: .home, ["socat", "-T", "1", "UDP4-RECVFROM:\(port),fork", "EXEC:cat"])
        try await waitForListener(in: .home, .tcp, port: port, process: tcp)
        try await waitForListener(in: .home, .udp, port: port, process: udp)
    }

    /// Whether a TCP connection from `host` (a new source port) to `address:port` carries a
    /// line there and back.
    func tcpEchoes(to address: String, port: Int, from host: Host = .internet) async throws -> Bool {
        let token = "lab-tcp-\(UUID().uuidString)"
        let target = "TCP4:\(address):\(port),sourceport=\(freshSourcePort()),connect-timeout=2"
        let output = try await exec(host, ["socat", "-t", "2", "-T", "4", "STDIO", target], input: token + "\n", timeout: 10)
        return output.stdout.contains(token)
    }

    /// Whether a datagram from `host` (a new source port, so no earlier conntrack flow helps)
    /// to `address:port` comes back.
    func udpEchoes(to address: String, port: Int, from host: Host = .internet) async throws -> Bool {
        let token = "lab-udp-\(UUID().uuidString)"
        let target = "UDP4:\(address):\(port),sourceport=\(freshSourcePort())"
        let output = try await exec(host, ["socat", "-t", "1", "-T", "3", "STDIO", target], input: token + "\n", timeout: 10)
        return output.stdout.contains(token)
    }

    /// Whether a TCP handshake from `host` (a new source port) to `address:port` completes.
    func tcpConnects(to address: String, port: Int, from host: Host = .internet) async throws -> Bool {
        let output = try await exec(host, ["nc", "-z", "-w", "2", "-p", String(freshSourcePort()), address, String(port)], timeout: 10)
        return output.exitCode == 0
    }
}
