#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tells "permission denied" apart from "does not exist" for the read-only commands
/// (`status`, `history`, `admin`). Without this, `access(path, F_OK)` failing with EACCES
/// under a private state directory reads as "no daemon" or "no history", and monitoring run
/// as another user reports the daemon down when it is up.
public enum PathAccess {
    /// nil when this user can reach `path` with `need` (R_OK, W_OK, X_OK combined), or when
    /// the path simply does not exist; otherwise one sentence naming the directory or file
    /// that stops this user, who owns it, and how to get access.
    public static func deniedReason(path: String, need: Int32) -> String? {
        var partial = path.hasPrefix("/") ? "" : "."
        let components = path.split(separator: "/")
        for component in components.dropLast() {
            partial += "/" + component
            if access(partial, X_OK) != 0 {
                if errno == EACCES || errno == EPERM { return sentence(partial) }
                return nil
            }
        }
        if access(path, need) != 0, errno == EACCES || errno == EPERM { return sentence(path) }
        return nil
    }

    static func sentence(_ path: String) -> String {
        var info = stat()
        let me = userName(getuid()).map { "\($0) (uid \(getuid()))" } ?? "uid \(getuid())"
        guard stat(path, &info) == 0 else {
            return "permission denied: \(me) cannot reach \(path); run this as the user the daemon runs as (with sudo if it runs as root)"
        }
        let owner = userName(info.st_uid) ?? "uid \(info.st_uid)"
        let group = groupName(info.st_gid) ?? "gid \(info.st_gid)"
        let mode = String(info.st_mode & 0o7777, radix: 8)
        var text = "permission denied: \(path) belongs to \(owner):\(group) with mode 0\(mode), and this command runs as \(me); "
        text += info.st_uid == 0 ? "run it with sudo" : "run it as \(owner) (sudo -u \(owner) …)"
        if info.st_mode & 0o050 == 0o050 {
            text += " or add \(userName(getuid()) ?? "this user") to group \(group)"
        }
        return text
    }

    public static func userName(_ uid: uid_t) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        return buffer.withUnsafeMutableBufferPointer { storage -> String? in
            guard let base = storage.baseAddress, getpwuid_r(uid, &entry, base, storage.count, &result) == 0, result != nil,
                  let name = entry.pw_name else { return nil }
            return String(cString: name)
        }
    }

    public static func groupName(_ gid: gid_t) -> String? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 4096)
        return buffer.withUnsafeMutableBufferPointer { storage -> String? in
            guard let base = storage.baseAddress, getgrgid_r(gid, &entry, base, storage.count, &result) == 0, result != nil,
                  let name = entry.gr_name else { return nil }
            return String(cString: name)
        }
    }
}
