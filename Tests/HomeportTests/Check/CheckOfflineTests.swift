import Foundation
import ReachabilityCheck
import StatusModel
import Testing

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
}
