import Foundation
import History
import Logging
import StatusModel
import Subprocess

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps one service running: start, watch, health-check, restart with back-off, stop.
///
/// Ownership: the runner's loop task owns the child process. `stop()` is the only way to end
/// it; it signals the child's whole process group (so helpers a service started go too),
/// escalates to SIGKILL after the stop timeout, and returns once the child is reaped.
actor ServiceRunner {
    let spec: ServiceSpec
    private let policy: BackoffPolicy
    private let launcher: String
    private let childUmask: UInt32?
    private let sink: any SupervisorEventSink
    private let logger: Logger
    private let healthSchedule: HealthSchedule
    private let tracker: ProcessTracker

    private var status: ServiceStatus
    private var loopTask: Task<Void, Never>?
    private var stopRequested = false
    private var stopReason = ""
    /// Wakes the back-off wait early when a stop arrives.
    private var wakeUp: CheckedContinuation<Void, Never>?
    /// Identifies the current process so a delayed SIGKILL never hits a later one.
    private var generation = 0
    private var runningPID: Int32?
    /// Between asking for a spawn and learning its pid (the tracker must not reap meanwhile).
    private var awaitingSpawn = false

    init(spec: ServiceSpec, policy: BackoffPolicy, healthSchedule: HealthSchedule, launcher: String, childUmask: UInt32?, tracker: ProcessTracker,
         sink: any SupervisorEventSink, logger: Logger) {
        self.childUmask = childUmask
        self.tracker = tracker
        self.spec = spec
        self.policy = policy
        self.healthSchedule = healthSchedule
        self.launcher = launcher
        self.sink = sink
        self.logger = logger
        self.status = ServiceStatus(name: spec.name, state: .starting, command: spec.command, health: spec.health?.identity)
    }

    var currentStatus: ServiceStatus { status }

    func start() {
        guard loopTask == nil else { return }
        loopTask = Task { await self.runLoop() }
    }

    /// Stops the service and waits until its process is gone.
    func stop(reason: String) async {
        if !stopRequested {
            stopRequested = true
            stopReason = reason
            if let pid = runningPID {
                status.state = .stopping
                await sink.record(ServiceEvent(time: Date(), service: spec.name, kind: .stop, pid: pid, detail: reason))
                await terminate(pid: pid, generation: generation, timeout: spec.stopTimeout)
            }
            wakeUp?.resume()
            wakeUp = nil
        }
        await loopTask?.value
    }

    // MARK: Loop

    private func runLoop() async {
        while !stopRequested {
            let began = ContinuousClock.now
            let outcome = await runOnce()
            if stopRequested { break }
            let uptime = ContinuousClock.now - began
            status.consecutiveFailures = policy.failures(after: status.consecutiveFailures, uptime: uptime)
            switch outcome {
            case .exited(let exit):
                let restart = spec.restart == .always || (spec.restart == .onFailure && !exit.isSuccess)
                if !restart {
                    status.state = .exited
                    logger.notice("[\(spec.name)] \(exit.reason); not restarting (restart = \(spec.restart.rawValue))")
                    return
                }
            case .notStarted:
                break
            }
            await waitBeforeRestart()
        }
        status.state = .stopped
        status.nextStartAt = nil
    }

    private enum Outcome {
        case exited(ExitInfo)
        case notStarted
    }

    private func waitBeforeRestart() async {
        let failures = status.consecutiveFailures
        let delay = policy.delay(afterConsecutiveFailures: failures)
        // A port held by another program is not a crash: the service keeps saying so while
        // it waits (with the same back-off) for the port to come free.
        let portConflict = status.state == .portConflict
        let crashLooping = policy.isCrashLooping(consecutiveFailures: failures) && !portConflict
        let due = Date().addingTimeInterval(Self.seconds(delay))
        status.nextStartAt = due
        if crashLooping {
            if status.state != .crashLooping || failures == policy.crashLoopThreshold {
                logger.error("[\(spec.name)] is crash-looping: \(failures) failures in a row; retrying every \(Self.format(delay)) until it stays up")
                await sink.record(ServiceEvent(time: Date(), service: spec.name, kind: .crashLoop, detail: "\(failures) consecutive failures"))
            }
            status.state = .crashLooping
        } else if !portConflict {
            status.state = .restarting
        }
        await sink.record(ServiceEvent(time: Date(), service: spec.name, kind: .restart, detail: "restarting in \(Self.format(delay)) (attempt \(failures + 1))"))
        await sleepUnlessStopped(delay)
        status.nextStartAt = nil
    }

    private func sleepUnlessStopped(_ delay: Duration) async {
        guard !stopRequested else { return }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: delay)
            await self?.wake()
        }
        await withCheckedContinuation { continuation in
            wakeUp = continuation
        }
        timer.cancel()
    }

    private func wake() {
        wakeUp?.resume()
        wakeUp = nil
    }

    /// One life of the process: pre-checks, spawn, output and health, exit.
    private func runOnce() async -> Outcome {
        if let problem = await portProblem() {
            status.state = .portConflict
            status.problem = problem
            logger.error("[\(spec.name)] not started: \(problem)")
            await sink.record(ServiceEvent(time: Date(), service: spec.name, kind: .portConflict, detail: problem))
            return .notStarted
        }
        status.problem = nil
        status.state = .starting
        generation += 1
        let myGeneration = generation
        let startedAt = Date()
        let clockStart = ContinuousClock.now
        var options = PlatformOptions()
        options.processGroupID = 0
        // Used only if this task is cancelled; an orderly stop goes through `stop()`.
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: spec.stopTimeout)]
        var overrides: [Environment.Key: String?] = [:]
        for (key, value) in spec.environment { overrides[Environment.Key(stringLiteral: key)] = value }
        overrides[Environment.Key(stringLiteral: Self.serviceVariable)] = spec.name
        let arguments = ChildExec.wrappedArguments(command: spec.command, workingDirectory: spec.workingDirectory, umask: childUmask)
        let name = spec.name
        let logger = self.logger
        let health = spec.health
        let schedule = healthSchedule
        let termination: TerminationStatus
        var pid: Int32 = 0
        awaitingSpawn = true
        await tracker.spawnBegins()
        do {
            let result = try await Subprocess.run(
                .path(.init(launcher)),
                arguments: Arguments(arguments),
                environment: Environment.inherit.updating(overrides),
                platformOptions: options,
                input: .none,
                output: .sequence,
                error: .sequence
            ) { execution in
                let childPID = execution.processIdentifier.value
                await self.didStart(pid: childPID, at: startedAt)
                await withTaskGroup(of: Bool.self) { group in
                    group.addTask {
                        await Self.pump(execution.standardOutput, name: name, logger: logger, level: .info)
                        return true
                    }
                    group.addTask {
                        // Many programs log routine messages on stderr; their own text says
                        // when something is wrong.
                        await Self.pump(execution.standardError, name: name, logger: logger, level: .info)
                        return true
                    }
                    if let health {
                        group.addTask {
                            await self.watchHealth(health, schedule: schedule, generation: myGeneration)
                            return false
                        }
                    }
                    // Both pipes at EOF means the child is exiting; health checks end with it.
                    var pumpsDone = 0
                    while let isPump = await group.next() {
                        if isPump { pumpsDone += 1 }
                        if pumpsDone == 2 { group.cancelAll() }
                    }
                }
                return childPID
            }
            termination = result.terminationStatus
            pid = result.processIdentifier.value
        } catch {
            if awaitingSpawn {
                awaitingSpawn = false
                await tracker.spawnFailed()
            }
            let message = "could not start: \(error)"
            status.state = .restarting
            status.problem = message
            logger.error("[\(name)] \(message)")
            await sink.record(ServiceEvent(time: Date(), service: name, kind: .spawnFailed, detail: message))
            return .notStarted
        }
        // Helpers the service left behind go with it, as under systemd: its process group, and
        // (on Linux) whatever of it left the group; this returns once they are gone.
        if pid > 0 {
            kill(-pid, SIGKILL)
            await tracker.finish(service: name, pid: pid)
        }
        runningPID = nil
        let uptime = ContinuousClock.now - clockStart
        let exit: ExitInfo
        switch termination {
        case .exited(let code):
            exit = ExitInfo(code: code, signal: nil, at: Date(), uptimeSeconds: Self.seconds(uptime), reason: "exited with code \(code)")
        case .signaled(let signal):
            exit = ExitInfo(code: nil, signal: signal, at: Date(), uptimeSeconds: Self.seconds(uptime), reason: "killed by signal \(signal)\(SignalNames.suffix(signal))")
        }
        status.lastExit = exit
        status.pid = nil
        status.startedAt = nil
        status.healthy = nil
        status.healthError = nil
        if stopRequested {
            logger.info("[\(name)] stopped (\(stopReason)): \(exit.reason)")
        } else {
            logger.warning("[\(name)] \(exit.reason) after \(Self.format(uptime))")
        }
        await sink.record(ServiceEvent(time: exit.at, service: name, kind: .exit, pid: pid, exitCode: exit.code, signal: exit.signal,
                                       detail: stopRequested ? stopReason : nil))
        return .exited(exit)
    }

    private func didStart(pid: Int32, at time: Date) async {
        if awaitingSpawn {
            awaitingSpawn = false
            await tracker.started(service: spec.name, pid: pid)
        }
        runningPID = pid
        if status.startedAt != nil || status.lastExit != nil || status.problem != nil { status.restarts += 1 }
        status.pid = pid
        status.startedAt = time
        status.state = .running
        logger.info("[\(spec.name)] started, pid \(pid)")
        await sink.record(ServiceEvent(time: time, service: spec.name, kind: .start, pid: pid, detail: spec.command.joined(separator: " ")))
        if stopRequested {
            // A stop arrived while the process was being spawned.
            await terminate(pid: pid, generation: generation, timeout: spec.stopTimeout)
        }
    }

    // MARK: Stopping

    /// SIGTERM to the process group (and whatever of the service left it) now, SIGKILL after
    /// `timeout` if the same process is still there.
    /// The tracker looks first: once the group's signal has ended a helper's parent, the
    /// helper's ancestry is gone (it is re-parented to the daemon, or to init in tests). The
    /// group gets its signal in one kill(2), as before, so a shell does not see its job die
    /// first and exit with a code of its own.
    private func terminate(pid: Int32, generation: Int, timeout: Duration) async {
        await tracker.refresh()
        kill(-pid, SIGTERM)
        await tracker.signal(SIGTERM, service: spec.name, outsideGroup: pid)
        Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.killIfStillRunning(pid: pid, generation: generation)
        }
    }

    private func killIfStillRunning(pid: Int32, generation: Int) async {
        guard self.generation == generation, runningPID == pid else { return }
        logger.warning("[\(spec.name)] did not stop within \(Self.format(spec.stopTimeout)) of SIGTERM; sending SIGKILL")
        await tracker.refresh()
        kill(-pid, SIGKILL)
        await tracker.signal(SIGKILL, service: spec.name, outsideGroup: pid)
    }

    // MARK: Health

    private func watchHealth(_ probe: any HealthProbe, schedule: HealthSchedule, generation: Int) async {
        var failures = 0
        var everHealthy = false
        let started = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: everHealthy ? schedule.interval : schedule.startupInterval)
            if Task.isCancelled { return }
            do {
                try await probe.check()
                failures = 0
                await healthChanged(healthy: true, error: nil, generation: generation)
                everHealthy = true
            } catch {
                let inStartup = !everHealthy && ContinuousClock.now - started < schedule.startupGrace
                if inStartup { continue }
                failures += 1
                if failures >= schedule.failureThreshold {
                    await healthFailed(error: "\(error)", generation: generation)
                    return
                }
            }
        }
    }

    private func healthChanged(healthy: Bool, error: String?, generation: Int) async {
        guard self.generation == generation, status.healthy != healthy else { return }
        status.healthy = healthy
        status.healthError = error
        if healthy {
            logger.info("[\(spec.name)] healthy (\(spec.health?.identity ?? ""))")
            await sink.record(ServiceEvent(time: Date(), service: spec.name, kind: .healthOK, pid: runningPID, detail: spec.health?.identity))
        }
    }

    /// Failed health checks count as a failure: the process is stopped and restarted with
    /// the usual back-off.
    private func healthFailed(error: String, generation: Int) async {
        guard self.generation == generation, let pid = runningPID, !stopRequested else { return }
        status.healthy = false
        status.healthError = error
        logger.error("[\(spec.name)] health check failed \(healthSchedule.failureThreshold) times (\(error)); restarting it")
        await sink.record(ServiceEvent(time: Date(), service: spec.name, kind: .healthFail, pid: pid, detail: error))
        await terminate(pid: pid, generation: generation, timeout: spec.stopTimeout)
    }

    // MARK: Pre-checks

    private func portProblem() async -> String? {
        for port in spec.ports {
            if (try? await TCPPort.acceptsConnections(port: port, timeout: .seconds(1))) == true {
                return "port \(port) is already in use by another program; stop that program or give \(spec.name) another port"
            }
        }
        return nil
    }

    // MARK: Output

    private static func pump(_ sequence: SubprocessOutputSequence, name: String, logger: Logger, level: Logger.Level) async {
        var lines = OutputLines()
        let emit: (String) -> Void = { line in
            let (named, text) = SyslogLevelPrefix.split(line)
            logger.log(level: named ?? level, "[\(name)] \(text)")
        }
        do {
            for try await buffer in sequence {
                buffer.withUnsafeBytes { lines.feed($0, emit: emit) }
            }
        } catch {
            // The pipe was closed under us (the child exited and a grandchild kept it open).
        }
        lines.flush(emit: emit)
    }

    /// Set in every service's environment to its name: lets the tracker tell which service a
    /// quickly double-forked orphan came from (see `ProcessTracker`).
    static let serviceVariable = "HOMEPORT_SERVICE"

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func format(_ duration: Duration) -> String {
        let seconds = seconds(duration)
        if seconds < 1 { return "\(Int(seconds * 1000))ms" }
        if seconds < 120 { return seconds == seconds.rounded() ? "\(Int(seconds))s" : String(format: "%.1fs", seconds) }
        return "\(Int(seconds / 60))m"
    }
}

/// How often and how patiently a service's health is checked.
public struct HealthSchedule: Sendable, Equatable {
    /// Between checks once the service has been healthy.
    public var interval: Duration
    /// Between checks while waiting for the first success.
    public var startupInterval: Duration
    /// Failures before the first success are forgiven this long (slow starters).
    public var startupGrace: Duration
    /// Consecutive failures that count as unhealthy.
    public var failureThreshold: Int

    public init(interval: Duration = .seconds(10)) {
        self.interval = interval
        self.startupInterval = min(interval, .seconds(1))
        self.startupGrace = interval * 3
        self.failureThreshold = 3
    }
}
