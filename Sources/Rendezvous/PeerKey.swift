import CSodium

/// A peer's 32-byte Ed25519 public key kept inline, so a registered peer costs no heap
/// allocation for it (100 000 peers must fit in about 30 MB). Keys of another length, which no
/// real client sends, are kept as an array.
enum PeerKey: Equatable, Sendable {
    case ed25519(UInt64, UInt64, UInt64, UInt64)
    case other([UInt8])

    init(_ bytes: some Collection<UInt8>) {
        let array = Array(bytes)
        guard array.count == 32 else {
            self = .other(array)
            return
        }
        func word(_ index: Int) -> UInt64 {
            var value: UInt64 = 0
            for byte in array[index * 8 ..< index * 8 + 8].reversed() { value = value << 8 | UInt64(byte) }
            return value
        }
        self = .ed25519(word(0), word(1), word(2), word(3))
    }

    var bytes: [UInt8] {
        switch self {
        case .other(let bytes):
            return bytes
        case .ed25519(let a, let b, let c, let d):
            var out: [UInt8] = []
            out.reserveCapacity(32)
            for word in [a, b, c, d] {
                for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
            }
            return out
        }
    }
}

/// A device uuid is compared, never shown, so memory keeps a 16-byte BLAKE2b digest of it
/// (the full bytes live in the database).
struct UUIDDigest: Equatable, Sendable {
    let high: UInt64
    let low: UInt64

    init(_ uuid: some Collection<UInt8>) {
        let input = Array(uuid)
        var digest = [UInt8](repeating: 0, count: 16)
        _ = crypto_generichash(&digest, 16, input, UInt64(input.count), nil, 0)
        var high: UInt64 = 0, low: UInt64 = 0
        for byte in digest[0..<8] { high = high << 8 | UInt64(byte) }
        for byte in digest[8..<16] { low = low << 8 | UInt64(byte) }
        self.high = high
        self.low = low
    }
}
