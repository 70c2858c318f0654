/// Finds a secret in text even when whitespace (space, tab, CR, LF) was inserted anywhere
/// inside it, as happens when a server wraps a long token over lines or an excerpt joins
/// lines with a space. ASCII letters match in either case, like the other redaction passes.
enum SpacedSecretMatch {
    static func redact(_ text: String, secrets: [String], mask: String) -> String {
        var bytes = Array(text.utf8)
        let maskBytes = Array(mask.utf8)
        // `secrets` is sorted longest first, so a secret containing another goes whole.
        for secret in secrets {
            let needle = secret.utf8.filter { !isSpace($0) }.map(lowered)
            guard needle.count >= 3 else { continue }
            bytes = replace(in: bytes, needle: needle, mask: maskBytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func replace(in bytes: [UInt8], needle: [UInt8], mask: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        var changed = false
        while index < bytes.count {
            if lowered(bytes[index]) == needle[0], let end = matchEnd(bytes, from: index, needle: needle) {
                result.append(contentsOf: mask)
                index = end
                changed = true
                continue
            }
            result.append(bytes[index])
            index += 1
        }
        return changed ? result : bytes
    }

    /// The index after the match that starts at `start`, or nil.
    private static func matchEnd(_ bytes: [UInt8], from start: Int, needle: [UInt8]) -> Int? {
        var index = start + 1
        for expected in needle.dropFirst() {
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count, lowered(bytes[index]) == expected else { return nil }
            index += 1
        }
        return index
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func lowered(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte + 0x20 : byte
    }
}
