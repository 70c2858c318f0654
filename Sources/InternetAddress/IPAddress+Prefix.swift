extension IPAddress {
    /// Whether the first `length` bits equal those of `prefix` (same family only).
    public func isInside(_ prefix: IPAddress, length: Int) -> Bool {
        guard prefix.family == family, length >= 0, length <= bytes.count * 8 else { return false }
        return masked(toPrefixLength: length) == prefix.masked(toPrefixLength: length)
    }

    /// The address with every bit after the first `length` cleared: the network of a /length
    /// (`2001:db8:1:2::` for `2001:db8:1:2::7` and 64). Lengths outside the family's range are
    /// clamped to it.
    public func masked(toPrefixLength length: Int) -> IPAddress {
        var out = bytes
        for index in out.indices {
            let bitsKept = max(0, min(8, length - index * 8))
            out[index] &= bitsKept == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - bitsKept))
        }
        return IPAddress(unchecked: out)
    }

    /// The IPv4-mapped IPv6 form `::ffff:a.b.c.d` of an IPv4 address (RFC 4291 section 2.5.5.2;
    /// PCP carries every address in it, RFC 6887 section 5); an IPv6 address stays as it is.
    public var ipv4Mapped: IPAddress {
        family == .ipv4 ? IPAddress(unchecked: [UInt8](repeating: 0, count: 10) + [0xff, 0xff] + bytes) : self
    }

    /// The IPv4 address inside an IPv4-mapped IPv6 address; nil for any other address.
    public var embeddedIPv4: IPAddress? {
        guard isIPv4Mapped else { return nil }
        return IPAddress(unchecked: Array(bytes[12..<16]))
    }

    /// For byte counts already known to be 4 or 16.
    init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }
}
