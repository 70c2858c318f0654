import Logging
import StatusModel

/// Runs a set of services and applies configuration changes to them.
public actor Supervisor {
    private let policy: BackoffPolicy
    private let launcher: String
    private let childUmask: UInt32?
    private let sink: any SupervisorEventSink
    private let logger: Logger
    private var runners: [String: ServiceRunner] = [:]
    private var order: [String] = []
    private let tracker: ProcessTracker

    /// - Parameter launcher: path of the homeport binary, which wraps every child (see
    ///   `ChildExec`).
    ///   - childUmask: the file-creation mask children get (the daemon's own is 077).
    ///   - processRecord: for the daemon only: where to keep the record of the services'
    ///     processes. Setting it also makes this process a child subreaper that reaps and
    ///     tracks orphans of the services, and the first `apply` then stops what a previous
    ///     run left behind (see `ProcessTracker`). Without it, services are still tracked
    ///     past their process group, but orphans are left to their new parent.
    public init(launcher: String, sink: any SupervisorEventSink, logger: Logger, policy: BackoffPolicy = BackoffPolicy(), childUmask: UInt32? = nil,
                processRecord: String? = nil) {
        self.tracker = ProcessTracker(recordPath: processRecord, logger: logger)
        self.launcher = launcher
        self.childUmask = childUmask
        self.sink = sink
        self.logger = logger
        self.policy = policy
    }

    public struct Change: Sendable, Equatable {
        public var started: [String] = []
        public var restarted: [String] = []
        public var stopped: [String] = []
        public var unchanged: [String] = []
    }

    /// Makes the running set match `specs`: starts new services, stops removed ones, restarts
    /// changed ones, and leaves the rest alone.
    @discardableResult
    public func apply(_ specs: [ServiceSpec], healthSchedules: [String: HealthSchedule] = [:]) async -> Change {
        var change = Change()
        // Before the first start: what a killed previous run left behind goes first, so it
        // cannot hold the services' ports.
        await tracker.prepare(grace: specs.map(\.stopTimeout).max() ?? .seconds(10))
        let wanted = Set(specs.map(\.name))
        for name in order where !wanted.contains(name) {
            if let runner = runners.removeValue(forKey: name) {
                await runner.stop(reason: "removed from the configuration")
                change.stopped.append(name)
            }
        }
        for spec in specs {
            let schedule = healthSchedules[spec.name] ?? HealthSchedule()
            if let runner = runners[spec.name] {
                if runner.spec.sameDefinition(as: spec), await runner.currentStatus.state != .exited {
                    change.unchanged.append(spec.name)
                    continue
                }
                await runner.stop(reason: "configuration changed")
                change.restarted.append(spec.name)
            } else {
                change.started.append(spec.name)
            }
            let runner = ServiceRunner(spec: spec, policy: policy, healthSchedule: schedule, launcher: launcher, childUmask: childUmask, tracker: tracker,
                                       sink: sink, logger: logger)
            runners[spec.name] = runner
            await runner.start()
        }
        order = specs.map(\.name)
        return change
    }

    /// Stops every service concurrently and waits for all of them, then for anything of
    /// theirs still running (orphans that left their process group).
    public func stopAll(reason: String) async {
        let grace = runners.values.map(\.spec.stopTimeout).max() ?? .seconds(1)
        let all = Array(runners.values)
        runners.removeAll()
        order.removeAll()
        await withTaskGroup(of: Void.self) { group in
            for runner in all {
                group.addTask { await runner.stop(reason: reason) }
            }
        }
        await tracker.stopEverything(grace: grace)
    }

    public func statuses() async -> [ServiceStatus] {
        var result: [ServiceStatus] = []
        for name in order {
            if let runner = runners[name] { result.append(await runner.currentStatus) }
        }
        return result
    }
}
