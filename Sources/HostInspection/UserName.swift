#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A uid's login name from the user database, or the number when it has none.
enum UserName {
    static func of(_ uid: UInt32) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let name: String? = buffer.withUnsafeMutableBufferPointer { storage in
            var entry = passwd()
            var result: UnsafeMutablePointer<passwd>?
            guard let base = storage.baseAddress, getpwuid_r(uid_t(uid), &entry, base, storage.count, &result) == 0, result != nil,
                  let name = entry.pw_name else { return nil }
            return String(cString: name)
        }
        return name ?? String(uid)
    }
}
