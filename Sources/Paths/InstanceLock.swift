#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One daemon per state directory: an advisory `flock` on `homeport.lock`, released by the
/// kernel when the process dies, however it dies. The file holds the owner's pid so the error
/// can name it.
public final class InstanceLock: Sendable {
    private let fd: Int32
    public let path: String

    public struct Held: Error, CustomStringConvertible {
        public let description: String
    }

    public init(stateDirectory: String) throws(Held) {
        path = StateLayout(directory: stateDirectory).instanceLock
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw Held(description: "Cannot open \(path): \(PrivateFiles.lastError()).")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = read(fd, &buffer, buffer.count)
            close(fd)
            let owner = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self).trimmingWhitespace() : "unknown"
            throw Held(description: "Another homeport daemon (pid \(owner)) is already running with state directory \(stateDirectory); stop it first or use a different --state-dir.")
        }
        _ = ftruncate(fd, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pwrite(fd, pid, pid.count, 0)
        self.fd = fd
    }

    deinit {
        close(fd)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
