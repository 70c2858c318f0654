import Foundation
import Synchronization
import Testing
@testable import PublicIP

@Suite("PublicIP monitor")
struct PublicIPMonitorTests {
    static func settings() -> DetectionSettings {
        var settings = DetectionSettings()
        settings.hopProbeTarget = nil
        settings.interval = .seconds(3600)
        settings.routerInterval = .seconds(3600)
        settings.debounce = .milliseconds(50)
        settings.minimumRecheckSpacing = .zero
        return settings
    }

    /// Collects the monitor's changes as they come.
    final class Changes: Sendable {
        private let list = Mutex<[IPChange]>([])
        func append(_ change: IPChange) { list.withLock { $0.append(change) } }
        var all: [IPChange] { list.withLock { $0 } }
    }

    static func start(_ monitor: IPMonitor) -> (Task<Void, Never>, Task<Void, Never>, Changes) {
        let changes = Changes()
        let running = Task { await monitor.run() }
        let collecting = Task { for await change in monitor.changes { changes.append(change) } }
        return (running, collecting, changes)
    }

    @Test("first detection is a change from nil; an external trigger finds the new address")
    func triggerChange() async throws {
        let a = ScriptedSource("a", address: "203.0.113.1"), b = ScriptedSource("b", address: "203.0.113.1")
        let v6 = ScriptedSource("v6", kind: .interface, family: .ipv6, address: "2001:db8::1")
        let detector = PublicIPDetector(sources: [a, b, v6], settings: Self.settings())
        let monitor = IPMonitor(detector: detector)
        let (running, collecting, changes) = Self.start(monitor)
        defer { running.cancel(); collecting.cancel() }

        #expect(await eventually(timeout: .seconds(30)) { changes.all.count == 2 })
        let first = changes.all.sorted { $0.family.rawValue < $1.family.rawValue }
        // A failed wait must fail the test, not crash the whole test process on `first[0]`.
        try #require(first.count == 2)
        #expect(first.map(\.old) == [nil, nil])
        #expect(first.map(\.new) == [ip("203.0.113.1"), ip("2001:db8::1")])
        #expect(first[0].reason == "start")
        #expect(first[0].sources == ["a", "b"])

        a.set("203.0.113.2")
        b.set("203.0.113.2")
        monitor.trigger("router announcement")
        monitor.trigger("router announcement")
        #expect(await eventually(timeout: .seconds(30)) { changes.all.count == 3 })
        let change = try #require(changes.all.last)
        #expect(change.family == .ipv4)
        #expect(change.old == ip("203.0.113.1"))
        #expect(change.new == ip("203.0.113.2"))
        #expect(change.reason == "router announcement")
        // Two triggers within the debounce time make one detection (plus the first).
        try await Task.sleep(for: .milliseconds(200))
        #expect(monitor.detectionCount == 2)
        #expect(changes.all.count == 3)
    }

    @Test("triggered re-checks keep their distance from the previous detection")
    func spacing() async throws {
        var settings = Self.settings()
        settings.minimumRecheckSpacing = .seconds(1)
        let a = ScriptedSource("a", address: "203.0.113.1"), b = ScriptedSource("b", address: "203.0.113.1")
        let monitor = IPMonitor(detector: PublicIPDetector(sources: [a, b], settings: settings))
        let (running, collecting, changes) = Self.start(monitor)
        defer { running.cancel(); collecting.cancel() }
        #expect(await eventually(timeout: .seconds(30)) { changes.all.count == 1 })
        let first = try #require(changes.all.first?.time)
        monitor.trigger("churn")
        // Measured between the detections' own start times: a loaded machine may deliver the
        // first change late, which says nothing about the spacing.
        #expect(await eventually(timeout: .seconds(30)) { await monitor.latestReport.map { $0.time > first } ?? false })
        let second = try #require(await monitor.latestReport?.time)
        #expect(second.timeIntervalSince(first) >= 0.9, "re-check came too soon after the first detection")
        for _ in 0..<5 {
            monitor.trigger("churn")
            try await Task.sleep(for: .milliseconds(20))
        }
        // Five events within the spacing make one more detection, not five.
        #expect(await eventually(timeout: .seconds(30)) { monitor.detectionCount == 3 })
        try await Task.sleep(for: .milliseconds(300))
        #expect(monitor.detectionCount == 3)
    }

    @Test("a router announcement is checked at once, inside the spacing")
    func urgentTrigger() async throws {
        var settings = Self.settings()
        settings.minimumRecheckSpacing = .seconds(60)
        let a = ScriptedSource("a", address: "203.0.113.1"), b = ScriptedSource("b", address: "203.0.113.1")
        let monitor = IPMonitor(detector: PublicIPDetector(sources: [a, b], settings: settings))
        let (running, collecting, changes) = Self.start(monitor)
        defer { running.cancel(); collecting.cancel() }
        #expect(await eventually(timeout: .seconds(30)) { changes.all.count == 1 })
        a.set("203.0.113.2")
        b.set("203.0.113.2")
        monitor.trigger("churn")
        monitor.trigger("router announcement", urgent: true)
        // Well inside the 60 s spacing that an ordinary trigger would have waited for.
        #expect(await eventually(timeout: .seconds(10)) { changes.all.count == 2 })
        #expect(changes.all.last?.reason == "churn, router announcement")
    }

    @Test("disagreement does not announce a change")
    func noChangeOnDisagreement() async throws {
        let a = ScriptedSource("a", address: "203.0.113.1"), b = ScriptedSource("b", address: "203.0.113.1")
        let monitor = IPMonitor(detector: PublicIPDetector(sources: [a, b], settings: Self.settings()))
        let (running, collecting, changes) = Self.start(monitor)
        defer { running.cancel(); collecting.cancel() }
        #expect(await eventually(timeout: .seconds(30)) { changes.all.count == 1 })
        a.set("203.0.113.7")
        b.set("203.0.113.8")
        monitor.trigger("test")
        // The count goes up when a detection starts; its report arrives when it ends.
        #expect(await eventually(timeout: .seconds(30)) { await monitor.latestReport?.ipv4.status == .disagreement })
        try await Task.sleep(for: .milliseconds(100))
        #expect(changes.all.count == 1)
        #expect(await monitor.addresses[.ipv4] == ip("203.0.113.1"))
        #expect(await monitor.latestReport?.ipv4.status == .disagreement)
    }

    @Test("re-checks on the interval confirm the known address with one echo request each")
    func polling() async throws {
        var settings = Self.settings()
        settings.interval = .milliseconds(100)
        settings.jitter = 0.1
        let sources = (0..<3).map { ScriptedSource("echo\($0)", address: "203.0.113.1") }
        let monitor = IPMonitor(detector: PublicIPDetector(sources: sources, settings: settings))
        let (running, collecting, changes) = Self.start(monitor)
        // Four 100 ms polls; the wait is long only for a machine the rest of the suite starves.
        #expect(await eventually(timeout: .seconds(30)) { monitor.detectionCount >= 4 })
        running.cancel()
        collecting.cancel()
        try await Task.sleep(for: .milliseconds(50))
        let detections = monitor.detectionCount
        #expect(changes.all.count == 1)
        // 2 to agree at first, then 1 per confirmation; the cancel may cut the last detection
        // short before it asks anyone.
        #expect((2 + (detections - 2)...(2 + (detections - 1))).contains(monitor.echoRequestsSent),
                "\(monitor.echoRequestsSent) echo requests in \(detections) detections")
        #expect(sources.allSatisfy { $0.callCount >= 1 }, "rotation spreads the load")
    }

    @Test("the router poll notices a new WAN address between echo polls")
    func routerPoll() async throws {
        var settings = Self.settings()
        settings.routerInterval = .milliseconds(50)
        let a = ScriptedSource("a", address: "203.0.113.1"), b = ScriptedSource("b", address: "203.0.113.1")
        let wan = Mutex("203.0.113.1")
        let router = RouterFactsClosure { RouterFacts(mappingProtocol: .natpmp, externalAddress: .address(ip(wan.withLock { $0 }))) }
        let monitor = IPMonitor(detector: PublicIPDetector(sources: [a, b], settings: settings, router: router))
        let (running, collecting, changes) = Self.start(monitor)
        defer { running.cancel(); collecting.cancel() }
        #expect(await eventually(timeout: .seconds(30)) { changes.all.count == 1 })
        try await Task.sleep(for: .milliseconds(200))
        #expect(monitor.detectionCount == 1, "an unchanged router causes no echo requests")
        a.set("203.0.113.9")
        b.set("203.0.113.9")
        wan.withLock { $0 = "203.0.113.9" }
        #expect(await eventually(timeout: .seconds(30)) { changes.all.count == 2 })
        #expect(changes.all.last?.new == ip("203.0.113.9"))
        #expect(changes.all.last?.reason == "router")
    }

    @Test("a real address change in a network namespace triggers a re-check (netlink)")
    func netlink() async throws {
        guard NamespaceLab.isRoot else {
            print("skipped: the netlink test creates a network namespace and needs root")
            return
        }
        let lab = NamespaceLab()
        let namespace = try await lab.add("mon")
        do {
            let watcher: Result<NetlinkChangeWatcher, any Error> = try await NamespaceLab.inNamespace(namespace) {
                Result { try NetlinkChangeWatcher() }
            }
            let a = ScriptedSource("a", address: "203.0.113.1"), b = ScriptedSource("b", address: "203.0.113.1")
            let monitor = IPMonitor(detector: PublicIPDetector(sources: [a, b], settings: Self.settings()), networkChanges: try watcher.get())
            let (running, collecting, changes) = Self.start(monitor)
            defer { running.cancel(); collecting.cancel() }
            #expect(await eventually(timeout: .seconds(30)) { changes.all.count == 1 })
            a.set("203.0.113.2")
            b.set("203.0.113.2")
            try await lab.ip(namespace, "addr add 198.51.100.77/32 dev lo")
            #expect(await eventually(timeout: .seconds(30)) { changes.all.count == 2 })
            #expect(changes.all.last?.reason.hasPrefix("network change: address added") == true, "\(changes.all.last?.reason ?? "")")
        } catch {
            await lab.remove()
            throw error
        }
        await lab.remove()
    }
}
