import Foundation

/// A copy of miniupnpd that accepts the documentation ranges 198.51.100.0/24 and 203.0.113.0/24
/// as a public WAN address.
///
/// miniupnpd ≥ 2.2 reports an empty external address and refuses mappings (UPnP 501, PCP
/// NO_RESOURCES) when its WAN address is in a reserved range, and Debian 12's 2.3.1 cannot be
/// told otherwise. The lab's "internet" may only use documentation addresses, so for the
/// public-WAN router the two entries are neutralised in the binary's reserved table: a static
/// array of `{uint32 address, uint32 rmask}` in host byte order, where `rmask` is 32 minus the
/// prefix length. Each entry becomes {255.255.255.255, 0}, which matches only the limited
/// broadcast address the table already lists. Carrier-NAT and double-NAT labs keep the
/// original binary: they must see real 2.3.1 behaviour.
enum PatchedMiniupnpd {
    struct ReservedEntry {
        let address: UInt32
        let prefixLength: UInt32
        let name: String
    }

    static let neutralised = [
        ReservedEntry(address: 198 << 24 | 51 << 16 | 100 << 8, prefixLength: 24, name: "198.51.100.0/24"),
        ReservedEntry(address: 203 << 24 | 0 << 16 | 113 << 8, prefixLength: 24, name: "203.0.113.0/24"),
    ]

    /// RFC 6598 shared space: neutralised only for a router that must accept mappings on a
    /// carrier-NAT WAN address, as routers fooled by miniupnpd's STUN option or older firmware do.
    static let carrierNAT = ReservedEntry(address: 100 << 24 | 64 << 16, prefixLength: 10, name: "100.64.0.0/10")

    /// Writes the patched copy of `original` to `destination` (mode 0755). Fails loudly unless
    /// every entry's byte pattern occurs exactly once.
    static func write(from original: String, to destination: String, entries: [ReservedEntry] = neutralised) throws {
        guard var binary = FileManager.default.contents(atPath: original) else {
            throw TestFailure("lab: cannot read \(original)")
        }
        let replacement = bytes(0xFFFF_FFFF, 0)
        for entry in entries {
            let pattern = bytes(entry.address, 32 - entry.prefixLength)
            let matches = occurrences(of: pattern, in: binary)
            guard matches.count == 1, let offset = matches.first else {
                throw TestFailure("lab: expected exactly one reserved-table entry for \(entry.name) in \(original), found \(matches.count); "
                    + "this miniupnpd build is not the one the lab knows (Debian 12's 2.3.1)")
            }
            binary.replaceSubrange(offset..<offset + pattern.count, with: replacement)
        }
        guard FileManager.default.createFile(atPath: destination, contents: binary, attributes: [.posixPermissions: 0o755]) else {
            throw TestFailure("lab: cannot write \(destination)")
        }
    }

    /// The table entry as it sits in memory: two host-byte-order 32-bit words.
    static func bytes(_ address: UInt32, _ rmask: UInt32) -> [UInt8] {
        withUnsafeBytes(of: address) { Array($0) } + withUnsafeBytes(of: rmask) { Array($0) }
    }

    static func occurrences(of pattern: [UInt8], in data: Data) -> [Int] {
        var found: [Int] = []
        var searchRange = data.startIndex..<data.endIndex
        while let range = data.range(of: Data(pattern), in: searchRange) {
            found.append(range.lowerBound)
            searchRange = range.upperBound..<data.endIndex
        }
        return found
    }
}
