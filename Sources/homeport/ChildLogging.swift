import Logging
import Paths
import Supervisor

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// Logging for the built-in servers. Under `homeport run` every stderr line of a child is
/// already time-stamped and prefixed with its service name by the daemon's log, so a
/// supervised child writes just the message behind its syslog level (`<6>message`), which the
/// supervisor logs at that level; run by hand it logs like the daemon.
enum ChildLogging {
    static let supervisedVariable = "HOMEPORT_SUPERVISED"

    static func bootstrap(level: Logger.Level = .info) {
        let supervised = ProcessEnvironment.value(supervisedVariable) == "1"
        LoggingSystem.bootstrap { label in
            if supervised { return CompactLogHandler(logLevel: level) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

struct CompactLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        fputs("\(SyslogLevelPrefix.prefix(for: event.level))\(event.message)\n", stderr)
    }
}
