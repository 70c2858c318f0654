import Foundation
import ReachabilityCheck
import StatusModel
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `homeport check` with no network at all (an empty network namespace: loopback only, no
/// route, no resolver answers): it ends, says per check what it could not do, and never hangs.
@Suite(.enabled(if: LabRequirements.canRun, Comment(rawValue: LabRequirements.skipMessage)))
struct CheckOfflineTests {
    @Test func offlineEveryCheckEndsAndSaysWhy() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = dir.write("homeport.toml", """
        [check]
        probe = "http://203.0.113.1:21120"
        stun = ["192.0.2.1:3478", "198.51.100.1:3478"]

        [[ddns]]
        provider = "duckdns"
        hostnames = ["myhome.duckdns.org"]
        token = "env:HOMEPORT_TEST_UNSET_TOKEN"
        """)
        let started = ContinuousClock.now
        let output = try await Programs.run("/usr/bin/unshare", ["--net", "/bin/sh", "-c", "ip link set lo up; exec \"$0\" \"$@\"",
                                                                  TestBinary.homeport, "check", "--json", "--config", config, "--state-dir", dir.file("state")])
        // A hang would be minutes (the probe and DNS would wait on their own timeouts); the
        // runner's deadlines end every step within about 10 s.
        #expect(ContinuousClock.now - started < .seconds(60))
        let report = try StatusJSON.decoder().decode(CheckReport.self, from: Data(output.stdout.utf8))
        #expect(output.exitCode == Int32(report.exitCode), "\(output.stdout)\(output.stderr)")
        #expect(report.findings.first { $0.id == "daemon.running" }?.outcome == .fail)
        #expect(report.findings.first { $0.id == "outside.probe" }?.outcome == .unknown, "\(output.stdout)")
        #expect(report.findings.first { $0.id == "nat.mapping" }?.outcome == .unknown, "\(output.stdout)")
        #expect(report.findings.contains { $0.id == "dns.myhome.duckdns.org.a" && $0.outcome == .unknown }, "\(output.stdout)")
        #expect(report.findings.filter { $0.topic == .outside && $0.id != "outside.probe" }.allSatisfy { $0.outcome == .unknown }, "\(output.stdout)")
        // One line per check in the text form, each starting with its mark.
        let text = try await Programs.run("/usr/bin/unshare", ["--net", "/bin/sh", "-c", "ip link set lo up; exec \"$0\" \"$@\"",
                                                                TestBinary.homeport, "check", "--config", config, "--state-dir", dir.file("state")])
        let marked = text.stdout.split(separator: "\n").filter { ["✔", "✘", "!", "?"].contains(String($0.prefix(1))) }
        #expect(marked.count == report.findings.count, "\(text.stdout)")
    }

    /// Another program on the ID server's UDP port is named with its pid and command line.
    @Test func anotherProgramHoldingThePortIsNamed() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let port = TestPorts.random()
        let config = dir.write("homeport.toml", "[rendezvous]\nport = \(port)\n\n[check]\nstun = []\n")
        // socat holds UDP PORT in the namespace; its pid is printed before check runs.
        let script = "ip link set lo up; socat -u UDP4-RECV:\(port) /dev/null & echo \"holder=$!\"; sleep 0.5; exec \"$0\" \"$@\""
        let output = try await Programs.run("/usr/bin/unshare", ["--net", "/bin/sh", "-c", script,
                                                                  TestBinary.homeport, "check", "--json", "--no-probe", "--config", config, "--state-dir", dir.file("state")])
        let holder = try #require(output.stdout.split(separator: "\n").first { $0.hasPrefix("holder=") }.map { String($0.dropFirst(7)) }, "\(output.stdout)")
        // The holder outlives the namespace's shell: end it here.
        if let pid = Int32(holder) { kill(pid, SIGKILL) }
        let json = output.stdout.split(separator: "\n").drop { !$0.hasPrefix("{") }.joined(separator: "\n")
        let report = try StatusJSON.decoder().decode(CheckReport.self, from: Data(json.utf8))
        let udp = try #require(report.findings.first { $0.id == "listener.udp.\(port)" }, "\(output.stdout)")
        #expect(udp.outcome == .fail && udp.title.contains("held by another program"), "\(udp)")
        #expect(udp.details.contains { $0.contains("pid \(holder)") && $0.contains("socat -u UDP4-RECV:\(port)") }, "\(udp.details)")
        #expect(report.findings.first { $0.id == "listener.tcp.\(port)" }?.title.contains("nothing listens") == true)
        #expect(output.exitCode == 1)
    }
}
