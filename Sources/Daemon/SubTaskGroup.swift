/// The daemon's long-running network tasks, which a reload stops and starts one by one. Each
/// runs as a child of one task group (`run()`, itself a child of the daemon's group) until it is
/// stopped or the group is cancelled; none ends another by finishing.
final class SubTaskGroup: Sendable {
    private struct Start: Sendable {
        let work: @Sendable () async -> Void
        /// Finished by `SubTask.stop()`.
        let stop: AsyncStream<Void>
        /// Finished when the work has ended.
        let ended: AsyncStream<Void>.Continuation
    }

    private let starts: AsyncStream<Start>
    private let startContinuation: AsyncStream<Start>.Continuation

    init() {
        (starts, startContinuation) = AsyncStream.makeStream()
    }

    /// Runs every started task until this task is cancelled; then cancels them and returns when
    /// all have ended (a port mapping task removes its mappings first).
    func run() async {
        await withDiscardingTaskGroup { group in
            for await start in starts {
                group.addTask {
                    await withTaskGroup(of: Void.self) { one in
                        one.addTask(operation: start.work)
                        // Until `stop()`, or until the daemon cancels the group (the stream then
                        // ends too); work that returns early leaves nothing to cancel.
                        for await _ in start.stop {}
                        one.cancelAll()
                    }
                    start.ended.finish()
                }
            }
        }
        startContinuation.finish()
    }

    /// Starts `work` in the group; it runs until the handle's `stop()` or the daemon's shutdown.
    func start(_ work: @escaping @Sendable () async -> Void) -> SubTask {
        let (stop, stopContinuation) = AsyncStream<Void>.makeStream()
        let (ended, endedContinuation) = AsyncStream<Void>.makeStream()
        if case .terminated = startContinuation.yield(Start(work: work, stop: stop, ended: endedContinuation)) {
            // The daemon is shutting down: nothing runs, and `stop()` must not wait for it.
            endedContinuation.finish()
        }
        return SubTask(stopSignal: stopContinuation, ended: ended)
    }
}

/// One task started in a `SubTaskGroup`.
struct SubTask: Sendable {
    fileprivate let stopSignal: AsyncStream<Void>.Continuation
    fileprivate let ended: AsyncStream<Void>

    /// Cancels the task and returns once it has ended, so what replaces it starts after it (new
    /// port mappings after the old ones are removed).
    func stop() async {
        stopSignal.finish()
        for await _ in ended {}
    }
}
