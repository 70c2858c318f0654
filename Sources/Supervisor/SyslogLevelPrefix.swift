import Logging

/// The `<N>` syslog priority a line may start with, as systemd reads it from a service's
/// output (systemd's src/systemd/sd-daemon.h: SD_EMERG "<0>" … SD_DEBUG "<7>"): the built-in
/// servers mark their lines so under `homeport run`, and the supervisor logs each line at its
/// level once instead of printing the child's level again inside the daemon's line.
public enum SyslogLevelPrefix {
    /// The prefix for a line logged at `level`.
    public static func prefix(for level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "<7>"
        case .info: "<6>"
        case .notice: "<5>"
        case .warning: "<4>"
        case .error: "<3>"
        case .critical: "<2>"
        }
    }

    /// The level a line names and the line without its prefix; nil level when it has none.
    static func split(_ line: String) -> (level: Logger.Level?, text: String) {
        let bytes = Array(line.utf8.prefix(3))
        guard bytes.count == 3, bytes[0] == UInt8(ascii: "<"), bytes[2] == UInt8(ascii: ">"),
              (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(bytes[1]) else { return (nil, line) }
        let level: Logger.Level
        switch bytes[1] - UInt8(ascii: "0") {
        case 0, 1, 2: level = .critical
        case 3: level = .error
        case 4: level = .warning
        case 5: level = .notice
        case 6: level = .info
        default: level = .debug
        }
        return (level, String(line.dropFirst(3)))
    }
}
