import Paths
import Reports

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

enum Terminal {
    /// Colour on a TTY, or anywhere when CLICOLOR_FORCE is set to something other than "0"
    /// (bixense.com/clicolors; how the width tests see coloured output); never when NO_COLOR
    /// is set and not empty (no-color.org).
    static var style: Style {
        Style(color: colorWanted(tty: isatty(STDOUT_FILENO) == 1, noColor: ProcessEnvironment.value("NO_COLOR"), force: ProcessEnvironment.value("CLICOLOR_FORCE")))
    }

    static func colorWanted(tty: Bool, noColor: String?, force: String?) -> Bool {
        if let noColor, !noColor.isEmpty { return false }
        if let force, !force.isEmpty, force != "0" { return true }
        return tty
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
