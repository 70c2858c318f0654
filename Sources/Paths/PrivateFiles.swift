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
    /// write into it and that no one else can. The error is one sentence a user can act on;
    /// the result lists what was fixed, for the caller to show as warnings.
    ///
    /// The directory holds the server key and the history, so whoever can write into it can
    /// swap them (rename over id_ed25519). Like OpenSSH with ~/.ssh (`StrictModes`), homeport
    /// does not use a directory someone else controls: one owned by this user but writable
    /// by group or others is changed to 0700 with a warning; one owned by another user
    /// (other than root when this is not root) is refused, since only its owner can fix it.
    @discardableResult
    public static func prepareDirectory(_ path: String) throws(Failure) -> [String] {
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
        return try secureDirectory(path)
    }

    private static func secureDirectory(_ path: String) throws(Failure) -> [String] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw Failure(description: "State directory \(path) cannot be checked: \(lastError()).")
        }
        let me = geteuid()
        let mode = info.st_mode & 0o7777
        let modeText = "0" + String(mode, radix: 8)
        let othersMayWrite = mode & 0o022 != 0
        if info.st_uid != me {
            let owner = PathAccess.userName(info.st_uid) ?? "uid \(info.st_uid)"
            if info.st_uid != 0 {
                throw Failure(description: "State directory \(path) belongs to \(owner), not to \(PathAccess.userName(me) ?? "uid \(me)") that homeport runs as; another user could replace its key files. Run homeport as \(owner), `chown -R \(PathAccess.userName(me) ?? String(me)) \(path)`, or pass --state-dir with a directory of your own.")
            }
            if othersMayWrite {
                throw Failure(description: "State directory \(path) belongs to root and has mode \(modeText), so other users could replace its key files; run `chmod 700 \(path)` as root and give it to this user (`chown`), or pass --state-dir with a directory of your own.")
            }
            return []
        }
        guard othersMayWrite else { return [] }
        guard chmod(path, 0o700) == 0 else {
            throw Failure(description: "State directory \(path) has mode \(modeText), so other users could replace its key files, and it cannot be changed (\(lastError())); run `chmod 700 \(path)`.")
        }
        return ["State directory \(path) had mode \(modeText), so other users could replace its key files and history; changed it to 0700."]
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
