import Foundation
import Testing
@testable import History

/// Table-driven uptime scenarios on a 100-second window starting at t=0.
@Suite struct UptimeCalculatorTests {
    static func at(_ seconds: Double) -> Date { Date(timeIntervalSince1970: 1_000_000 + seconds) }

    static func run(_ id: Int64, _ start: Double, _ end: Double, clean: Bool, interval: Double = 10) -> DaemonRun {
        DaemonRun(id: id, startedAt: at(start), lastHeartbeat: at(end), stoppedAt: clean ? at(end) : nil, pid: 1, version: "t", heartbeatInterval: interval)
    }

    static func event(_ t: Double, _ kind: ServiceEventKind, code: Int32? = nil, signal: Int32? = nil) -> ServiceEvent {
        ServiceEvent(time: at(t), service: "s", kind: kind, exitCode: code, signal: signal)
    }

    struct Scenario: Sendable, CustomTestStringConvertible {
        var name: String
        var runs: [DaemonRun]
        var events: [ServiceEvent]
        var before: ServiceEvent? = nil
        var firstSeen: Double = 0
        var from: Double = 0
        var to: Double = 100
        var now: Double = 100
        var up: Double
        var outages: [(Double, Double, String)]
        var testDescription: String { name }
    }

    static let scenarios: [Scenario] = [
        Scenario(name: "up the whole time", runs: [run(1, 0, 100, clean: false)], events: [event(0, .start)], up: 100, outages: []),
        Scenario(name: "crash and restart", runs: [run(1, 0, 100, clean: false)],
                 events: [event(0, .start), event(40, .exit, code: 1), event(45, .restart), event(50, .start)],
                 up: 90, outages: [(40, 50, "exited with code 1")]),
        Scenario(name: "killed by a signal", runs: [run(1, 0, 100, clean: false)],
                 events: [event(0, .start), event(10, .exit, signal: 9), event(30, .start)],
                 up: 80, outages: [(10, 30, "killed by signal 9 (SIGKILL)")]),
        Scenario(name: "power cut: no heartbeat from 60 until the next run at 80", runs: [run(1, 0, 60, clean: false, interval: 10), run(2, 80, 100, clean: false)],
                 events: [event(0, .start), event(81, .start)],
                 up: 79, outages: [(60, 81, "host or homeport down (no heartbeat)")]),
        Scenario(name: "clean stop then start", runs: [run(1, 0, 50, clean: true), run(2, 70, 100, clean: false)],
                 events: [event(0, .start), event(50, .stop), event(50, .exit, signal: 15), event(70, .start)],
                 up: 80, outages: [(50, 70, "homeport stopped")]),
        Scenario(name: "failed health checks count as down", runs: [run(1, 0, 100, clean: false)],
                 events: [event(0, .start), event(20, .healthFail), event(25, .exit, signal: 15), event(26, .start), event(30, .healthOK)],
                 up: 94, outages: [(20, 26, "health check failed")]),
        Scenario(name: "state before the window carries in", runs: [run(1, 0, 100, clean: false)],
                 events: [event(60, .exit, code: 2)], before: event(5, .start), from: 50,
                 up: 10, outages: [(60, 100, "exited with code 2")]),
        Scenario(name: "service added mid-window is measured from then", runs: [run(1, 0, 100, clean: false)],
                 events: [event(50, .start)], firstSeen: 50, up: 50, outages: []),
        Scenario(name: "live run extends to now", runs: [run(1, 0, 95, clean: false, interval: 60)],
                 events: [event(0, .start)], up: 100, outages: []),
        Scenario(name: "daemon still off at the end is an ongoing outage", runs: [run(1, 0, 50, clean: false, interval: 5)],
                 events: [event(0, .start)], up: 50, outages: [(50, 100, "host or homeport down (no heartbeat)")]),
    ]

    @Test(arguments: scenarios)
    func uptime(_ scenario: Scenario) {
        let report = UptimeCalculator.report(
            service: "s", events: scenario.events, stateBefore: scenario.before, runs: scenario.runs,
            firstSeen: Self.at(scenario.firstSeen), from: Self.at(scenario.from), to: Self.at(scenario.to), now: Self.at(scenario.now))
        #expect(abs(report.up - scenario.up) < 0.001, "up \(report.up), segments \(report.segments)")
        let outages = report.outages
        #expect(outages.count == scenario.outages.count, "\(outages)")
        for (outage, expected) in zip(outages, scenario.outages) {
            #expect(outage.start == Self.at(expected.0))
            #expect(outage.end == Self.at(expected.1))
            #expect(outage.cause.hasPrefix(expected.2), "\(outage.cause)")
        }
    }

    @Test func fractionsOfSubWindows() {
        let report = UptimeCalculator.report(
            service: "s", events: [Self.event(0, .start), Self.event(50, .exit, code: 1)], stateBefore: nil,
            runs: [Self.run(1, 0, 100, clean: false)], firstSeen: Self.at(0), from: Self.at(0), to: Self.at(100), now: Self.at(100))
        #expect(report.fraction == 0.5)
        #expect(report.fraction(from: Self.at(0), to: Self.at(50)) == 1)
        #expect(report.fraction(from: Self.at(50), to: Self.at(100)) == 0)
        #expect(report.fraction(from: Self.at(25), to: Self.at(75)) == 0.5)
        #expect(report.outages.last?.ongoing == true)
    }

    @Test func neverSeenServiceHasNoData() {
        let report = UptimeCalculator.report(service: "s", events: [], stateBefore: nil, runs: [], firstSeen: nil,
                                             from: Self.at(0), to: Self.at(100), now: Self.at(100))
        #expect(report.fraction == nil)
        #expect(report.outages.isEmpty)
    }
}
