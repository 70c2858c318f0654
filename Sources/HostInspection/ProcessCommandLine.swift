import Foundation

/// A process's arguments as one line a user can read and paste into a shell.
enum ProcessCommandLine {
    /// Longer command lines are cut here (with "…"): the output names the program, it does not
    /// reproduce a container's full environment of arguments.
    static let maximumLength = 200

    /// /proc/PID/cmdline: arguments, each ended by a NUL byte. A process may rewrite it, so a
    /// missing final NUL or an empty text is accepted.
    static func arguments(fromProcCmdline bytes: [UInt8]) -> [String] {
        var parts = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if parts.last == "" { parts.removeLast() }
        return parts
    }

    /// The arguments quoted like a POSIX shell needs them, joined by spaces, and cut after
    /// `maximumLength` characters.
    static func text(_ arguments: [String]) -> String {
        let line = arguments.map(quoted).joined(separator: " ")
        guard line.count > maximumLength else { return line }
        return String(line.prefix(maximumLength - 1)) + "…"
    }

    /// The argument as is when it has only characters a shell leaves alone, else in single
    /// quotes (a single quote inside becomes '\'').
    static func quoted(_ argument: String) -> String {
        let plain = !argument.isEmpty && argument.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_./:=,+@%".unicodeScalars.contains($0)
        }
        return plain ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
