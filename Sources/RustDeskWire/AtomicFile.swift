#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Small POSIX file helpers for key files: errno-accurate reads, and writes that appear
/// atomically with mode 0600 (written to a private temporary file, then linked or renamed).
enum AtomicFile {
    enum ReadResult {
        case missing
        case failed(String)
        case contents([UInt8], FileOwnership)
    }

    /// Who owns the file that was read and its permission bits, taken from the open
    /// descriptor so they describe exactly the bytes returned.
    struct FileOwnership {
        let owner: uid_t
        let mode: UInt32
    }

    /// Key files are a few dozen bytes; anything this large is not one.
    private static let readLimit = 64 * 1024

    static func readContents(path: String) -> ReadResult {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            return code == ENOENT ? .missing : .failed(errorText(code))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failed(errorText(errno)) }
        let ownership = FileOwnership(owner: info.st_uid, mode: UInt32(info.st_mode & 0o7777))
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failed(errorText(errno))
            }
            if count == 0 { return .contents(contents, ownership) }
            contents.append(contentsOf: chunk.prefix(count))
            if contents.count > readLimit { return .failed("the file is larger than \(readLimit) bytes") }
        }
    }

    /// Creates `path` with `contents` unless it already exists (then returns false and leaves
    /// it alone).
    static func create(path: String, contents: String) throws(KeyFileError) -> Bool {
        let temporary = try writeTemporary(for: path, contents: contents)
        defer { unlink(temporary) }
        guard link(temporary, path) == 0 else {
            let code = errno
            if code == EEXIST { return false }
            throw KeyFileError(path: path, problem: .unwritable(errorText(code)))
        }
        return true
    }

    /// Writes `contents` to `path`, replacing any existing file in one step.
    static func replace(path: String, contents: String) throws(KeyFileError) {
        let temporary = try writeTemporary(for: path, contents: contents)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw KeyFileError(path: path, problem: .unwritable(errorText(code)))
        }
    }

    /// A new file next to `path` (same directory, so link/rename stay on one file system),
    /// created exclusively with mode 0600 so the secret is never readable by others, even briefly.
    private static func writeTemporary(for path: String, contents: String) throws(KeyFileError) -> String {
        var lastError: Int32 = EEXIST
        for _ in 0..<16 {
            let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                lastError = errno
                if lastError == EEXIST { continue }
                break
            }
            let bytes = Array(contents.utf8)
            var written = 0
            while written < bytes.count {
                let count = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    lastError = errno
                    close(fd)
                    unlink(temporary)
                    throw KeyFileError(path: path, problem: .unwritable(errorText(lastError)))
                }
                written += count
            }
            // The key must survive a power cut right after start-up, or clients' pasted keys break.
            let synced = fsync(fd) == 0
            lastError = errno
            close(fd)
            guard synced else {
                unlink(temporary)
                throw KeyFileError(path: path, problem: .unwritable(errorText(lastError)))
            }
            return temporary
        }
        throw KeyFileError(path: path, problem: .unwritable(errorText(lastError)))
    }

    private static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
