extension PeerAddress: CustomStringConvertible {
    /// "1.2.3.4:21116" or "[2001:db8::1]:21116".
    public var description: String {
        switch self {
        case .v4: "\(ipText):\(port)"
        case .v6: "[\(ipText)]:\(port)"
        }
    }

    /// The IP alone: dotted quad, or RFC 5952 IPv6 text (lowercase, no leading zeros, the
    /// longest run of two or more zero groups shortened to "::", IPv4-mapped shown as
    /// ::ffff:a.b.c.d). Written out rather than via inet_ntop so it is identical on every OS.
    public var ipText: String {
        switch self {
        case .v4(let ip, _):
            return Self.dottedQuad(ip)
        case .v6(let ip, _):
            if ip >> 32 == 0xFFFF {
                return "::ffff:" + Self.dottedQuad(UInt32(truncatingIfNeeded: ip))
            }
            return Self.ipv6Text(ip)
        }
    }

    private static func dottedQuad(_ ip: UInt32) -> String {
        [24, 16, 8, 0].map { String(UInt8(truncatingIfNeeded: ip >> $0)) }.joined(separator: ".")
    }

    private static func ipv6Text(_ ip: UInt128) -> String {
        let groups = (0..<8).map { UInt16(truncatingIfNeeded: ip >> (16 * (7 - $0))) }
        // Find the first longest run of zero groups; RFC 5952 §4.2.2 forbids "::" for one group.
        var bestStart = -1, bestLength = 0, runStart = -1
        for index in 0...8 {
            if index < 8, groups[index] == 0 {
                if runStart < 0 { runStart = index }
                continue
            }
            if runStart >= 0, index - runStart > bestLength {
                bestStart = runStart
                bestLength = index - runStart
            }
            runStart = -1
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestLength >= 2 else { return hex.joined(separator: ":") }
        let head = hex[..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }
}
