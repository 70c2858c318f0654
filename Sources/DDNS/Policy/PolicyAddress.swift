import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Addresses compared by value, so `2001:db8::1` equals `2001:0db8:0:0::1` and a formatting
/// difference never causes an update the provider would answer with `nochg`.
enum PolicyAddress {
    static func canonical(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var v4 = in_addr()
        if inet_pton(AF_INET, trimmed, &v4) == 1 {
            return format(family: AF_INET, &v4, length: Int(INET_ADDRSTRLEN)) ?? trimmed
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, trimmed, &v6) == 1 {
            return format(family: AF_INET6, &v6, length: Int(INET6_ADDRSTRLEN)) ?? trimmed.lowercased()
        }
        return trimmed
    }

    static func same(_ a: String, _ b: String) -> Bool {
        canonical(a) == canonical(b)
    }

    private static func format<T>(family: Int32, _ address: inout T, length: Int) -> String? {
        var buffer = [CChar](repeating: 0, count: length)
        let ok = withUnsafePointer(to: &address) { pointer in
            inet_ntop(family, pointer, &buffer, socklen_t(length)) != nil
        }
        guard ok else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
