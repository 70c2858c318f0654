import Foundation
import Paths
import ServiceFiles
import Subprocess

/// What `homeport service install` prepares on this machine before the unit can start: the
/// system user it runs as, and a state directory outside /var/lib (which systemd does not
/// create) owned by that user. Returns what it did, for the user to read.
enum ServiceAccountSetup {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func prepare(_ parameters: ServiceFileParameters, configFile: String?) async throws -> [String] {
        var notes: [String] = []
        let user = parameters.user
        if getpwnam(user) == nil {
            try await createSystemUser(user)
            notes.append("Created the system user \(user) that the service and its [[service]] programs run as.")
        }
        guard let account = getpwnam(user) else { throw Failure(description: "the user \(user) does not exist after useradd") }
        let uid = account.pointee.pw_uid, gid = account.pointee.pw_gid
        if parameters.systemdStateDirectoryName == nil {
            let directory = parameters.stateDirectory
            try PrivateFiles.prepareDirectory(directory)
            try giveTree(directory, uid: uid, gid: gid)
            notes.append("Gave \(directory) to \(user) (the unit grants it with ReadWritePaths=).")
        }
        if let configFile, let problem = unreadable(configFile, uid: uid, gid: gid) {
            notes.append("Warning: \(user) cannot read \(configFile) (\(problem)); run `chgrp \(user) \(configFile) && chmod 640 \(configFile)`.")
        }
        return notes
    }

    private static func createSystemUser(_ user: String) async throws {
        let result = try await Subprocess.run(
            .name("useradd"),
            arguments: ["--system", "--user-group", "--home-dir", "/var/lib/homeport", "--no-create-home",
                        "--shell", "/usr/sbin/nologin", "--comment", "homeport daemon", user],
            output: .string(limit: 64 << 10), error: .string(limit: 64 << 10))
        guard case .exited(0) = result.terminationStatus else {
            let reason = result.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(description: "Cannot create the system user \(user) (useradd: \(reason.isEmpty ? "\(result.terminationStatus)" : reason)); create it and run this again.")
        }
    }

    /// chown -R, without following symbolic links.
    private static func giveTree(_ root: String, uid: uid_t, gid: gid_t) throws {
        var paths = [root]
        if let enumerator = FileManager.default.enumerator(atPath: root) {
            while let relative = enumerator.nextObject() as? String { paths.append(root + "/" + relative) }
        }
        for path in paths where lchown(path, uid, gid) != 0 {
            throw Failure(description: "Cannot give \(path) to uid \(uid): \(String(cString: strerror(errno))).")
        }
    }

    /// Why uid/gid may not read the file, or nil when they may (or it does not exist).
    private static func unreadable(_ path: String, uid: uid_t, gid: gid_t) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let mode = info.st_mode
        let readable = (info.st_uid == uid && mode & 0o400 != 0) || (info.st_gid == gid && mode & 0o040 != 0) || mode & 0o004 != 0
        guard !readable else { return nil }
        return "mode 0\(String(mode & 0o777, radix: 8)), owner \(PathAccess.userName(info.st_uid) ?? "uid \(info.st_uid)")"
    }
}
