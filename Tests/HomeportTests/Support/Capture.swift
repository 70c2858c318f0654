import Foundation
import History
import Logging
import Supervisor
import Synchronization

/// Collects what the supervisor reports, for assertions.
final class EventCollector: SupervisorEventSink, Sendable {
    private let storage = Mutex<[ServiceEvent]>([])

    func record(_ event: ServiceEvent) async {
        storage.withLock { $0.append(event) }
    }

    var events: [ServiceEvent] { storage.withLock { $0 } }

    func events(_ kind: ServiceEventKind, of service: String? = nil) -> [ServiceEvent] {
        events.filter { $0.kind == kind && (service == nil || $0.service == service) }
    }
}

/// A swift-log handler that keeps every message.
final class LogCapture: Sendable {
    private let storage = Mutex<[String]>([])

    var lines: [String] { storage.withLock { $0 } }

    func logger() -> Logger {
        Logger(label: "test") { _ in Handler(capture: self) }
    }

    fileprivate func append(_ line: String) {
        storage.withLock { $0.append(line) }
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        /// Metadata is shown as swift-log's stream handler prints it (`key=value` before the
        /// message), so a test sees the fragments a reader of the daemon's log would.
        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value) " }.joined()
            capture.append("\(event.level) \(fields)\(event.message)")
        }
    }
}
