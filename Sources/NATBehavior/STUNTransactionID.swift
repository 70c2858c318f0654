/// The 96-bit transaction ID of a STUN request, echoed by its response (RFC 8489 section 5);
/// chosen at random so an answer cannot be guessed by someone who did not see the request.
public struct STUNTransactionID: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public static let byteCount = 12

    /// Nil unless `bytes` has exactly 12 bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    /// A fresh ID from the system's cryptographically secure generator.
    public static func random() -> STUNTransactionID {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return STUNTransactionID(unchecked: bytes)
    }

    private init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var description: String {
        bytes.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 0x10 ? "0" + hex : hex
        }.joined()
    }
}
