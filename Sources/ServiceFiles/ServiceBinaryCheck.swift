#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether a service file may point at a binary: the unit runs it for years, as another user,
/// with a private /tmp.
public enum ServiceBinaryCheck {
    /// One sentence naming the problem and the fix, or nil when the binary will do.
    public static func problem(binary: String, kind: ServiceFileKind) -> String? {
        let fix = "install it first (`sudo \(binary) install` puts it in /usr/local/bin), then run `homeport service install` from there, or name the binary with --binary"
        if binary.contains("/.build/") {
            return "\(binary) is a build output that the next `swift build` replaces; \(fix)."
        }
        guard kind == .systemd else { return nil }
        for hidden in ["/tmp/", "/var/tmp/"] where binary.hasPrefix(hidden) {
            return "\(binary) is under \(hidden), which the service does not see (PrivateTmp=yes); \(fix)."
        }
        // The service user must be able to reach it: every directory above searchable by others.
        var partial = ""
        for component in binary.split(separator: "/").dropLast() {
            partial += "/" + component
            var info = stat()
            if stat(partial, &info) == 0, info.st_mode & 0o001 == 0 {
                return "the service's user cannot reach \(binary): \(partial) has mode 0\(String(info.st_mode & 0o777, radix: 8)); \(fix)."
            }
        }
        return nil
    }
}
