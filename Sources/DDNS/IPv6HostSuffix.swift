import InternetAddress

/// `ipv6_suffix = "::1234"`: a server inside the LAN keeps its interface identifier while
/// the delegated prefix changes, so its AAAA record is the current prefix (taken from the
/// detected IPv6 address, /64 unless `ipv6_prefix_length` says otherwise) joined with the
/// configured suffix.
public enum IPv6HostSuffix {
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// The address made of the first `prefixLength` bits of `address` and the remaining bits of
    /// `suffix` (the configuration's text).
    public static func combine(address: IPAddress, suffix: String, prefixLength: Int = 64) throws(Problem) -> IPAddress {
        guard (0...128).contains(prefixLength) else {
            throw Problem(description: "ipv6_prefix_length must be from 0 to 128, not \(prefixLength)")
        }
        guard address.family == .ipv6 else {
            throw Problem(description: "\(address) is not an IPv6 address")
        }
        guard let tail = IPAddress(suffix, family: .ipv6) else {
            throw Problem(description: "ipv6_suffix \"\(suffix)\" is not an IPv6 suffix; write it like ::1234 or ::a:b:c:d")
        }
        let network = address.masked(toPrefixLength: prefixLength)
        guard tail.masked(toPrefixLength: prefixLength).isUnspecified else {
            throw Problem(description: "ipv6_suffix \"\(suffix)\" reaches into the /\(prefixLength) prefix; keep it within the last \(128 - prefixLength) bits (e.g. ::1234)")
        }
        // The suffix has no bits inside the prefix, so OR joins the two.
        let joined = zip(network.bytes, tail.bytes).map { $0 | $1 }
        guard let combined = IPAddress(bytes: joined) else {
            throw Problem(description: "\(address) is not an IPv6 address")
        }
        return combined
    }
}
