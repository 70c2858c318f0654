import Foundation
import Probe
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `homeport probe serve` as the real binary: as the systemd unit in launch/ starts it, and as
/// the daemon's `[probe]` child.
@Suite(.serialized) struct ProbeCommandTests {
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func unit() throws -> String {
        try String(contentsOf: repository.appendingPathComponent("launch/homeport-probe.service"), encoding: .utf8)
    }

    /// The unit's ExecStart, run with a token file in place of the credential and a free
    /// loopback port in place of 21120: it serves, wants the token, warns about a readable token
    /// file, and stops cleanly on SIGTERM.
    @Test("the unit's command line serves the probe with the token")
    func unitCommandServes() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let tokenFile = dir.write("probe.token", "tok-\(UInt64.random(in: 0...UInt64.max))\n")
        chmod(tokenFile, 0o644)
        let token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let execStart = try #require(try Self.unit().split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        var arguments = execStart.dropFirst("ExecStart=".count).split(separator: " ").dropFirst().map(String.init)
        let port = try await unusedPort()
        arguments = arguments.map {
            $0 == "[::]:21120" ? "127.0.0.1:\(port)" : $0.replacingOccurrences(of: "${CREDENTIALS_DIRECTORY}/probe-token", with: tokenFile)
        }
        #expect(arguments == ["probe", "serve", "--listen", "127.0.0.1:\(port)", "--token-file", tokenFile])
        let process = try await HomeportProcess.start(arguments, logPath: dir.file("probe.log"))
        defer { if processExists(process.pid) { process.signal(SIGKILL) } }
        let client = ProbeClient(url: URL(string: "http://127.0.0.1:\(port)")!, token: token)
        let answered = await eventually(timeout: .seconds(15)) { (try? await client.check([.init(port: port, check: .websocket)])) != nil }
        #expect(answered, "\(process.log)")
        let answer = try await client.check([.init(port: port, check: .websocket)])
        // The probe's own port answers HTTP, but not as a WebSocket server.
        #expect(answer.results.first?.result == .other, "\(answer)")
        await #expect(throws: ProbeClient.Failure.refused(status: 401, message: "the token is wrong: send 'Authorization: Bearer <token>' with the token from the probe's token file")) {
            try await ProbeClient(url: client.url, token: "wrong").check([.init(port: port, check: .tcpConnect)])
        }
        #expect(process.log.contains("can be read by other users (mode 644); run `chmod 600 \(tokenFile)`"), "\(process.log)")
        #expect(!process.log.contains(token))
        process.signal(SIGTERM)
        #expect(try await process.wait() == .exited(0), "\(process.log)")
    }

    @Test("bad options are refused with the value and what would be valid")
    func badOptions() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let cases: [([String], String)] = [
            (["--listen", "localhost:80"], "'localhost' in 'localhost:80' is not an IPv4 address"),
            (["--listen", "[::]:0"], "is not a port from 1 to 65535"),
            (["--listen", "[nope]:21120"], "is not an IPv6 address"),
            (["--token-file", dir.file("missing")], "cannot be read"),
            (["--token-file", dir.write("empty", "\n")], "must hold one token without spaces; it is empty"),
            (["--requests-per-minute", "0"], "--requests-per-minute must be from 1 to 600, not 0"),
            (["--port-timeout-ms", "50"], "--port-timeout-ms must be from 100 to 10000, not 50"),
        ]
        for (arguments, expected) in cases {
            let output = try await Homeport.run(["probe", "serve"] + arguments)
            #expect(output.exitCode == 64, "\(arguments): \(output.status) \(output.combined)")
            #expect(output.stderr.contains(expected), "\(arguments): \(output.stderr)")
        }
    }

    @Test("systemd accepts the probe's unit and rates its hardening OK",
          .enabled(if: ToolRequirement.systemdAnalyze.shouldRun(), Comment(rawValue: ToolRequirement.systemdAnalyze.skipMessage)))
    func systemdAcceptsTheUnit() async throws {
        try ToolRequirement.systemdAnalyze.check()
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.write("homeport-probe.service", try Self.unit().replacingOccurrences(of: "/usr/local/bin/homeport", with: TestBinary.homeport))
        let verify = try await Programs.run("/usr/bin/systemd-analyze", ["verify", path])
        #expect(verify.exitCode == 0)
        #expect(verify.stderr.isEmpty, "\(verify.stderr)")
        let security = try await Programs.run("/usr/bin/systemd-analyze", ["security", "--offline=yes", path])
        let verdict = try #require(security.stdout.split(separator: "\n").last { $0.contains("Overall exposure level") }, "\(security.stdout)\(security.stderr)")
        #expect(["OK", "SAFE", "PERFECT"].contains { verdict.split(separator: " ").contains(Substring($0)) }, "\(verdict)")
    }

    /// `[probe]` in the daemon's config: `homeport run` starts the probe as a child, health-checks
    /// it, and it answers with the token from `token_file`.
    @Test("the daemon runs the probe from [probe]")
    func daemonRunsTheProbe() async throws {
        let port = try await unusedPort()
        let tokenDirectory = TemporaryDirectory()
        defer { tokenDirectory.remove() }
        let tokenFile = tokenDirectory.write("probe.token", "daemon-probe-token\n")
        chmod(tokenFile, 0o600)
        var daemon = DaemonHarness(config: """
        [probe]
        enabled = true
        listen = "127.0.0.1:\(port)"
        token_file = "\(tokenFile)"
        requests_per_minute = 30
        port_timeout = "1s"
        """)
        defer { daemon.remove() }
        try await daemon.start()
        let healthy = await eventually(timeout: .seconds(20)) { (try? await daemon.service("probe"))?.healthy == true }
        #expect(healthy, "\(daemon.log)")
        let answer = try await ProbeClient(url: URL(string: "http://127.0.0.1:\(port)")!, token: "daemon-probe-token")
            .check([.init(port: port, check: .tcpConnect)])
        #expect(answer.results.first?.result == .open)
        daemon.process?.signal(SIGTERM)
        #expect(try await daemon.process?.wait() == .exited(0), "\(daemon.log)")
    }
}
