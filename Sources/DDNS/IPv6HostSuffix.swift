#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `ipv6_suffix = "::1234"`: a server inside the LAN keeps its interface identifier while
/// the delegated prefix changes, so its AAAA record is the current prefix (taken from the
/// detected IPv6 address, /64 unless `ipv6_prefix_length` says otherwise) joined with the
/// configured suffix.
public enum IPv6HostSuffix {
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// The address made of the first `prefixLength` bits of `address` and the remaining bits of `suffix`.
    public static func combine(address: String, suffix: String, prefixLength: Int = 64) throws(Problem) -> String {
        guard (0...128).contains(prefixLength) else {
            throw Problem(description: "ipv6_prefix_length must be from 0 to 128, not \(prefixLength)")
        }
        guard let base = parse(address) else {
            throw Problem(description: "\(address) is not an IPv6 address")
        }
        guard let tail = parse(suffix) else {
            throw Problem(description: "ipv6_suffix \"\(suffix)\" is not an IPv6 suffix; write it like ::1234 or ::a:b:c:d")
        }
        var result = [UInt8](repeating: 0, count: 16)
        for index in 0..<16 {
            let bitsInPrefix = max(0, min(8, prefixLength - index * 8))
            let mask = bitsInPrefix == 0 ? UInt8(0) : UInt8(truncatingIfNeeded: 0xFF << (8 - bitsInPrefix))
            if tail[index] & mask != 0 {
                throw Problem(description: "ipv6_suffix \"\(suffix)\" reaches into the /\(prefixLength) prefix; keep it within the last \(128 - prefixLength) bits (e.g. ::1234)")
            }
            result[index] = (base[index] & mask) | (tail[index] & ~mask)
        }
        return format(result)
    }

    static func parse(_ text: String) -> [UInt8]? {
        var storage = in6_addr()
        guard inet_pton(AF_INET6, text, &storage) == 1 else { return nil }
        return withUnsafeBytes(of: &storage) { Array($0) }
    }

    static func format(_ bytes: [UInt8]) -> String {
        var storage = in6_addr()
        withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &storage, &buffer, socklen_t(buffer.count)) != nil else { return "::" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
