import Config
import Foundation
import Probe
import ReachabilityCheck
import Reports
import Testing

/// `homeport check`'s core: steps run in parallel, each cut off at its deadline (even one that
/// ignores cancellation), findings ordered by topic, and the exit code the issue defines.
@Suite struct CheckRunnerTests {
    static func finding(_ id: String, _ topic: CheckTopic, _ outcome: CheckOutcome) -> CheckFinding {
        CheckFinding(id: id, topic: topic, outcome: outcome, title: id)
    }

    @Test func aStepThatNeverEndsIsReportedAsNotFinishedAndTheOthersStillCount() async {
        let steps = [
            // Never resumes and ignores cancellation: only the runner's own deadline ends it.
            CheckStep(id: "stuck", topic: .dns, title: "DNS records", deadline: .milliseconds(300)) {
                await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
                return []
            },
            CheckStep(id: "quick", topic: .config, title: "config", deadline: .seconds(5)) {
                [Self.finding("config.valid", .config, .pass)]
            },
        ]
        let findings = await CheckRunner.run(steps)
        #expect(findings.map(\.id) == ["config.valid", "stuck"])
        #expect(findings.last?.outcome == .unknown)
        #expect(findings.last?.title == "DNS records")
        #expect(findings.last?.details == ["did not finish within 0.3 s"])
    }

    @Test func stepsRunAtTheSameTime() async {
        // Each step waits until all three have started: run one after another, none would.
        let started = Counter()
        let step = { (id: String) in
            CheckStep(id: id, topic: .outside, title: id, deadline: .seconds(20)) {
                await started.increment()
                while await started.value < 3 { try? await Task.sleep(for: .milliseconds(10)) }
                return [Self.finding(id, .outside, .pass)]
            }
        }
        let findings = await CheckRunner.run([step("a"), step("b"), step("c")])
        #expect(findings.map(\.outcome) == [.pass, .pass, .pass])
    }

    @Test(arguments: [
        ([CheckOutcome.pass, .pass], [CheckOutcome.pass, .pass], Int32(0), CheckReport.Conclusion.reachable),
        ([.pass, .warning], [.pass], 0, .reachable),
        ([.pass, .fail], [.pass], 1, .blocked),
        ([.pass], [.pass, .fail], 1, .blocked),
        ([.pass], [.pass, .unknown], 2, .unverified),
        ([.pass], [], 2, .unverified),
        ([.unknown], [.unknown], 2, .unverified),
    ])
    func exitCodeSaysWhetherOutsideClientsCanConnect(local: [CheckOutcome], outside: [CheckOutcome], code: Int32, conclusion: CheckReport.Conclusion) {
        let findings = local.enumerated().map { Self.finding("l\($0.offset)", .listener, $0.element) }
            + outside.enumerated().map { Self.finding("o\($0.offset)", .outside, $0.element) }
        let report = CheckReport(checkedAt: Date(), findings: findings)
        #expect(report.exitCode == code)
        #expect(report.conclusion == conclusion)
    }

    @Test func theJSONCarriesTheConclusionAndSnakeCaseKeys() throws {
        let report = CheckReport(checkedAt: Date(timeIntervalSince1970: 0), findings: [
            CheckFinding(id: "outside.udp.21116", topic: .outside, outcome: .fail, title: "UDP 21116 filtered from outside",
                         details: ["no answer within 3 s"], fixes: ["Forward UDP 21116 to 192.168.1.20:21116"]),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let text = String(decoding: try encoder.encode(report), as: UTF8.self)
        #expect(text.contains("\"checked_at\":\"1970-01-01T00:00:00Z\""))
        #expect(text.contains("\"conclusion\":\"blocked\""))
        #expect(text.contains("\"exit_code\":1"))
        #expect(text.contains("\"topic\":\"outside\""))
    }

    @Test func portsComeFromTheConfigNotFromDefaults() {
        let ports = ServerPort.all(rendezvous: .init(enabled: true, port: 31116), relay: .init(enabled: true, port: 31117))
        #expect(ports.map(\.label) == ["TCP 31115", "TCP 31116", "UDP 31116", "TCP 31118", "TCP 31117", "TCP 31119"])
        let relayOnly = ServerPort.all(rendezvous: .init(enabled: false, port: 21116), relay: .init(enabled: true, port: 21117))
        #expect(relayOnly.map(\.role) == [.relay, .relayWebSocket])
    }

    @Test func theTextFitsOneHundredColumnsWithFixesUnderTheFailure() {
        let long = String(repeating: "word ", count: 60)
        let report = CheckReport(checkedAt: Date(), findings: [
            CheckFinding(id: "a", topic: .listener, outcome: .pass, title: "TCP 21116 (ID server connections) is bound by homeport", details: ["hidden"]),
            CheckFinding(id: "b", topic: .outside, outcome: .fail, title: "UDP 21116 is filtered from outside " + long, details: [long], fixes: [long]),
        ])
        let text = CheckReportText.render(report)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.allSatisfy { $0.count <= 100 }, "\(text)")
        #expect(lines.first == "✔ TCP 21116 (ID server connections) is bound by homeport")
        #expect(!text.contains("hidden"), "a passed check's facts show only with --verbose")
        #expect(lines.contains { $0.hasPrefix("  → word") })
        #expect(text.hasSuffix("1 problem stops outside clients; its fix is under the ✘ line.\n"))
    }
}

actor Counter {
    private(set) var value = 0
    func increment() { value += 1 }
}

/// The router's "public" loses to an outside probe that cannot reach the ports it mapped.
@Suite struct EvidenceConflictTests {
    static func finding(_ id: String, _ topic: CheckTopic, _ outcome: CheckOutcome, _ title: String = "") -> CheckFinding {
        var finding = CheckFinding(id: id, topic: topic, outcome: outcome, title: title.isEmpty ? id : title)
        // What the probe saw, as OutsideFindings records it.
        for seen in [PortOutcome.filtered, .closed, .open] where title.contains("\(seen.rawValue) from outside") { finding.seenFromOutside = seen }
        return finding
    }

    @Test func aMappedPortSilentFromOutsideContradictsAPublicVerdict() {
        let findings = [
            Self.finding("verdict", .verdict, .pass),
            Self.finding("router.udp.21116", .router, .pass),
            Self.finding("router.tcp.21117", .router, .pass),
            Self.finding("outside.udp.21116", .outside, .fail, "UDP 21116 (ID server registrations) filtered from outside: no answer"),
            Self.finding("outside.tcp.21117", .outside, .fail, "TCP 21117 (relay) filtered from outside: no answer"),
        ]
        let conflicts = EvidenceConflicts.findings(findings)
        #expect(conflicts.map(\.id) == ["verdict.conflict"])
        #expect(conflicts.first?.outcome == .fail)
        #expect(conflicts.first?.title.contains("UDP 21116, TCP 21117 could not be reached from outside although mapped") == true, "\(conflicts)")
        #expect(conflicts.first?.details.count == 3)
    }

    @Test(arguments: [
        // Not public: the verdict already says so.
        [finding("verdict", .verdict, .fail), finding("router.udp.21116", .router, .pass),
         finding("outside.udp.21116", .outside, .fail, "UDP 21116 (x) filtered from outside: no answer")],
        // Not mapped by homeport: a missing forward, not a contradiction.
        [finding("verdict", .verdict, .pass), finding("router.forwards", .router, .unknown),
         finding("outside.udp.21116", .outside, .fail, "UDP 21116 (x) filtered from outside: no answer")],
        // One mapped port open from outside: the address is public, the silent port has its own line.
        [finding("verdict", .verdict, .pass), finding("router.udp.21116", .router, .pass), finding("router.tcp.21117", .router, .pass),
         finding("outside.udp.21116", .outside, .fail, "UDP 21116 (x) filtered from outside: no answer"),
         finding("outside.tcp.21117", .outside, .pass, "TCP 21117 (x) open from outside")],
        // Reachable.
        [finding("verdict", .verdict, .pass), finding("router.udp.21116", .router, .pass),
         finding("outside.udp.21116", .outside, .pass, "UDP 21116 (x) open from outside")],
    ])
    func noConflictWithoutAllThree(_ findings: [CheckFinding]) {
        #expect(EvidenceConflicts.findings(findings).isEmpty)
    }
}
