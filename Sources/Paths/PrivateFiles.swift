#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files and directories that only the daemon's user may read: the state directory, the
/// history database, the control socket, key files.
public enum PrivateFiles {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// Creates `path` (and missing parents) with mode 0700 and checks that this process can
    /// write into it. The error is one sentence a user can act on.
    public static func prepareDirectory(_ path: String) throws(Failure) {
        var partial = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            partial += "/" + component
            var info = stat()
            if stat(partial, &info) == 0 {
                if (info.st_mode & S_IFMT) != S_IFDIR {
                    throw Failure(description: "State directory \(path) cannot be created: \(partial) exists and is not a directory.")
                }
                continue
            }
            if mkdir(partial, 0o700) != 0 && errno != EEXIST {
                throw Failure(description: "State directory \(path) cannot be created (\(partial): \(lastError())); create it or pass --state-dir with a writable directory.")
            }
        }
        if access(path, W_OK | X_OK | R_OK) != 0 {
            throw Failure(description: "State directory \(path) is not writable by this user (\(lastError())); fix its permissions or pass --state-dir with a writable directory.")
        }
    }

    /// Creates an empty file with mode 0600 if it does not exist, and tightens an existing one
    /// that is readable by others.
    public static func ensurePrivateFile(_ path: String) throws(Failure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        if fd < 0 {
            throw Failure(description: "Cannot create \(path): \(lastError()).")
        }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & 0o077) != 0 {
            _ = fchmod(fd, 0o600)
        }
        close(fd)
    }

    /// The permission bits of `path`, or nil when it does not exist.
    public static func mode(of path: String) -> UInt32? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt32(info.st_mode & 0o7777)
    }

    public static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
