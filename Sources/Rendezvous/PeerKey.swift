import Sodium

/// A peer's 32-byte Ed25519 public key kept inline, so a registered peer costs no heap
/// allocation for it. (Keys of another length, which no real client sends, are kept by the
/// table on the side.)
struct PeerKey: Equatable, Sendable {
    let a: UInt64, b: UInt64, c: UInt64, d: UInt64

    init?(_ bytes: some Collection<UInt8>) {
        let array = Array(bytes)
        guard array.count == 32 else { return nil }
        func word(_ index: Int) -> UInt64 {
            var value: UInt64 = 0
            for byte in array[index * 8 ..< index * 8 + 8].reversed() { value = value << 8 | UInt64(byte) }
            return value
        }
        a = word(0)
        b = word(1)
        c = word(2)
        d = word(3)
    }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for word in [a, b, c, d] {
            for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return out
    }
}

/// A device uuid is compared, never shown, so memory keeps an 8-byte BLAKE2b digest of it
/// (the full bytes live in the database). Finding another uuid with the same digest would take
/// about 2^64 attempts, and the registration limits allow a few per minute.
enum UUIDDigest {
    static func of(_ uuid: some Collection<UInt8>) -> UInt64 {
        BLAKE2b.hash(Array(uuid), length: 8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}
