import Logging

/// Runs a set of services and applies configuration changes to them.
public actor Supervisor {
    private let policy: BackoffPolicy
    private let launcher: String
    private let childUmask: UInt32?
    private let sink: any SupervisorEventSink
    private let logger: Logger
    private var runners: [String: ServiceRunner] = [:]
    private var order: [String] = []

    /// - Parameter launcher: path of the homeport binary, which wraps every child (see
    ///   `ChildExec`).
    ///   - childUmask: the file-creation mask children get (the daemon's own is 077).
    public init(launcher: String, sink: any SupervisorEventSink, logger: Logger, policy: BackoffPolicy = BackoffPolicy(), childUmask: UInt32? = nil) {
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
            let runner = ServiceRunner(spec: spec, policy: policy, healthSchedule: schedule, launcher: launcher, childUmask: childUmask, sink: sink, logger: logger)
            runners[spec.name] = runner
            await runner.start()
        }
        order = specs.map(\.name)
        return change
    }

    /// Stops every service concurrently and waits for all of them.
    public func stopAll(reason: String) async {
        let all = Array(runners.values)
        runners.removeAll()
        order.removeAll()
        await withTaskGroup(of: Void.self) { group in
            for runner in all {
                group.addTask { await runner.stop(reason: reason) }
            }
        }
    }

    public func statuses() async -> [ServiceStatus] {
        var result: [ServiceStatus] = []
        for name in order {
            if let runner = runners[name] { result.append(await runner.currentStatus) }
        }
        return result
    }
}
