import Logging

/// Logging for one-shot commands: problems the command reports itself go to its output, so
/// the log shows only errors unless `--verbose` asks for the whole conversation.
enum CLILogging {
    static func bootstrap(verbose: Bool) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : .error
            return handler
        }
    }
}
