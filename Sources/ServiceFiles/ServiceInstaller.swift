#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Puts the service file in place (or removes it) and says exactly what to run next.
public enum ServiceInstaller {
    public struct Result: Sendable, Equatable {
        public var path: String
        /// The command the user runs next, e.g. `sudo systemctl daemon-reload && …`.
        public var nextCommand: String
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func install(kind: ServiceFileKind, parameters: ServiceFileParameters, directory: String, isRoot: Bool) throws(Failure) -> Result {
        let path: String
        let contents: String
        let next: String
        switch kind {
        case .systemd:
            path = directory + "/" + SystemdUnit.fileName
            contents = SystemdUnit.render(parameters)
            next = "\(isRoot ? "" : "sudo ")systemctl daemon-reload && \(isRoot ? "" : "sudo ")systemctl enable --now homeport"
        case .launchd:
            path = directory + "/" + LaunchdPlist.fileName
            contents = LaunchdPlist.render(parameters)
            try makeDirectory(parameters.logDirectory, mode: 0o755)
            next = isRoot ? "launchctl bootstrap system \(path)" : "launchctl bootstrap gui/\(getuid()) \(path)"
        }
        try makeDirectory(directory, mode: 0o755)
        try write(contents, to: path)
        return Result(path: path, nextCommand: next)
    }

    public static func uninstall(kind: ServiceFileKind, directory: String, isRoot: Bool) throws(Failure) -> Result {
        switch kind {
        case .systemd:
            let path = directory + "/" + SystemdUnit.fileName
            try remove(path)
            // `systemctl enable` left this link; without the unit file `disable` cannot find it.
            let wants = directory + "/multi-user.target.wants/" + SystemdUnit.fileName
            var info = stat()
            if lstat(wants, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK { unlink(wants) }
            let sudo = isRoot ? "" : "sudo "
            return Result(path: path, nextCommand: "\(sudo)systemctl stop homeport; \(sudo)systemctl daemon-reload")
        case .launchd:
            let path = directory + "/" + LaunchdPlist.fileName
            try remove(path)
            let domain = isRoot ? "system" : "gui/\(getuid())"
            return Result(path: path, nextCommand: "launchctl bootout \(domain)/\(LaunchdPlist.label)")
        }
    }

    private static func makeDirectory(_ path: String, mode: mode_t) throws(Failure) {
        var partial = ""
        for component in path.split(separator: "/") {
            partial += "/" + component
            if mkdir(partial, mode) != 0, errno != EEXIST {
                throw Failure(description: "Cannot create \(partial): \(String(cString: strerror(errno)))\(errno == EACCES ? "; run with sudo" : "").")
            }
        }
    }

    private static func write(_ contents: String, to path: String) throws(Failure) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw Failure(description: "Cannot write \(path): \(String(cString: strerror(errno)))\(errno == EACCES ? "; run with sudo" : "").")
        }
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { Glibc_write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Failure(description: "Cannot write \(path): \(String(cString: strerror(errno))).")
        }
    }

    private static func remove(_ path: String) throws(Failure) {
        guard unlink(path) == 0 else {
            if errno == ENOENT { throw Failure(description: "Nothing to uninstall: \(path) does not exist.") }
            throw Failure(description: "Cannot remove \(path): \(String(cString: strerror(errno)))\(errno == EACCES ? "; run with sudo" : "").")
        }
    }
}

private func Glibc_write(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}
