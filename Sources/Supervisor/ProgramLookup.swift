#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether a service's program would start, judged before starting it the way `ChildExec`
/// will: `execvp` after entering the working directory, with the service's environment over
/// the daemon's (so PATH is the service's `env.PATH`, else the daemon's).
public enum ProgramLookup {
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var description: String
        /// True when another user or environment could see it differently (the daemon's user
        /// may be allowed what this one is not); false when it is missing for everyone.
        public var dependsOnUser: Bool
    }

    /// The problem with `command[0]`, or nil when it would run (or cannot be judged here:
    /// a relative path without a working directory depends on the daemon's).
    public static func problem(command: [String], workingDirectory: String?, environment: [String: String]) -> Problem? {
        guard let program = command.first, !program.isEmpty else { return nil }
        if program.contains("/") {
            let path: String
            if program.hasPrefix("/") {
                path = program
            } else if let workingDirectory {
                path = workingDirectory + "/" + program
            } else {
                return nil
            }
            switch look(at: path, named: program) {
            case .runnable: return nil
            case .missing: return Problem(description: "\(program) does not exist" + (path == program ? "" : " (looked for \(path))"), dependsOnUser: false)
            case .unusable(let problem): return problem
            }
        }
        // execvp's own default when PATH is unset (glibc's confstr _CS_PATH).
        let searchPath = environment["PATH"] ?? "/bin:/usr/bin"
        var firstProblem: Problem?
        for directory in searchPath.split(separator: ":") {
            let candidate = directory + "/" + program
            switch look(at: candidate, named: candidate) {
            case .runnable: return nil
            case .missing: continue
            case .unusable(let problem): firstProblem = firstProblem ?? problem
            }
        }
        return firstProblem ?? Problem(description: "'\(program)' is not in any directory of PATH (\(searchPath)); give its full path, or set env.PATH for this service",
                                       dependsOnUser: false)
    }

    private enum Look {
        case runnable, missing
        case unusable(Problem)
    }

    private static func look(at path: String, named: String) -> Look {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return .missing }
            return .unusable(Problem(description: "\(named) cannot be looked at by this user: \(String(cString: strerror(code)))", dependsOnUser: true))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            return .unusable(Problem(description: "\(named) is a directory, not a program", dependsOnUser: false))
        }
        if info.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH) == 0 {
            return .unusable(Problem(description: "\(named) is not executable (mode \(String(info.st_mode & 0o7777, radix: 8))); run `chmod +x \(path)`", dependsOnUser: false))
        }
        if access(path, X_OK) != 0 {
            return .unusable(Problem(description: "\(named) may not be run by this user: \(String(cString: strerror(errno)))", dependsOnUser: true))
        }
        return .runnable
    }
}
