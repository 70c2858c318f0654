import Reports

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

enum Terminal {
    /// Colour only on a TTY, and never when NO_COLOR is set (no-color.org).
    static var style: Style {
        Style(color: isatty(STDOUT_FILENO) == 1 && getenv("NO_COLOR") == nil)
    }

    /// Prints `message` to stderr as one line prefixed with "homeport: ".
    static func error(_ message: String) {
        fputs("homeport: \(message)\n", stderr)
    }

    /// Prints `message` to stderr as one line prefixed with "homeport: " (not an error).
    static func note(_ message: String) {
        fputs("homeport: \(message)\n", stderr)
    }

    static func warning(_ message: String) {
        fputs("homeport: warning: \(message)\n", stderr)
    }
}
