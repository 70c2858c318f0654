#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `ipv6_suffix = "::1234"`: the home's current prefix (the first `prefixLength` bits of the
/// detected IPv6 address) followed by a fixed interface identifier, so a record can name
/// another machine on the LAN whose prefix changes with the home's.
public enum IPv6Suffix {
    public static func combine(address: String, suffix: String, prefixLength: Int = 64) -> String? {
        guard (1...127).contains(prefixLength), let prefix = bytes(address), let host = bytes(suffix) else { return nil }
        var result = [UInt8](repeating: 0, count: 16)
        for bit in 0..<128 {
            let source = bit < prefixLength ? prefix : host
            if source[bit / 8] & (0x80 >> UInt8(bit % 8)) != 0 { result[bit / 8] |= 0x80 >> UInt8(bit % 8) }
        }
        return text(result)
    }

    static func bytes(_ text: String) -> [UInt8]? {
        var storage = in6_addr()
        guard inet_pton(AF_INET6, text, &storage) == 1 else { return nil }
        return withUnsafeBytes(of: storage) { Array($0) }
    }

    static func text(_ bytes: [UInt8]) -> String? {
        var storage = in6_addr()
        withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &storage, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
