import History
import Logging
import Supervisor

/// Writes supervisor events to the history, tagged with the current daemon run. A failed
/// write is logged, never thrown: the supervisor keeps services up even on a full disk.
struct HistorySink: SupervisorEventSink {
    let store: HistoryStore
    let runID: Int64
    let logger: Logger

    func record(_ event: ServiceEvent) async {
        do {
            try await store.record(event, runID: runID)
        } catch {
            logger.error("could not record \(event.kind.rawValue) of \(event.service) in the history: \(error)")
        }
    }
}
