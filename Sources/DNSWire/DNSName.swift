/// A domain name as a list of labels (raw bytes, case preserved). Comparison and hashing ignore
/// ASCII case, as DNS does (RFC 4343). Always absolute: `DNSName("home.example.com")` and
/// `DNSName("home.example.com.")` are the same name.
public struct DNSName: Hashable, Sendable, CustomStringConvertible {
    public static let maxWireLength = 255
    public static let maxLabelLength = 63
    public static let root = DNSName(uncheckedLabels: [])

    public let labels: [[UInt8]]

    init(uncheckedLabels: [[UInt8]]) {
        labels = uncheckedLabels
    }

    /// Builds a name from labels, checking the label and name length limits.
    public init(labels: [[UInt8]]) throws {
        var length = 1
        for label in labels {
            guard !label.isEmpty else { throw DNSWireError.invalidName(Self.text(of: labels), reason: "empty label") }
            guard label.count <= Self.maxLabelLength else {
                throw DNSWireError.invalidName(Self.text(of: labels), reason: "label of \(label.count) bytes; at most 63 are allowed")
            }
            length += label.count + 1
        }
        guard length <= Self.maxWireLength else { throw DNSWireError.nameTooLong(length: length) }
        self.labels = labels
    }

    /// Parses presentation form: dot-separated labels, optional trailing dot, `\.` and `\DDD` escapes.
    public init(_ text: String) throws {
        if text == "." || text.isEmpty {
            self = .root
            return
        }
        var labels: [[UInt8]] = []
        var current: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        var endedWithDot = false
        while let byte = iterator.next() {
            endedWithDot = false
            switch byte {
            case UInt8(ascii: "."):
                guard !current.isEmpty else { throw DNSWireError.invalidName(text, reason: "empty label") }
                labels.append(current)
                current = []
                endedWithDot = true
            case UInt8(ascii: "\\"):
                guard let next = iterator.next() else { throw DNSWireError.invalidName(text, reason: "ends with a backslash") }
                if next >= UInt8(ascii: "0"), next <= UInt8(ascii: "9") {
                    guard let second = iterator.next(), let third = iterator.next(),
                          (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(second),
                          (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(third) else {
                        throw DNSWireError.invalidName(text, reason: "\\DDD escape needs three digits")
                    }
                    let value = Int(next - 48) * 100 + Int(second - 48) * 10 + Int(third - 48)
                    guard value <= 255 else { throw DNSWireError.invalidName(text, reason: "\\DDD escape above 255") }
                    current.append(UInt8(value))
                } else {
                    current.append(next)
                }
            default:
                current.append(byte)
            }
        }
        if !current.isEmpty { labels.append(current) } else if !endedWithDot {
            throw DNSWireError.invalidName(text, reason: "empty label")
        }
        try self.init(labels: labels)
    }

    /// Uncompressed wire form, case preserved.
    public var wireFormat: [UInt8] {
        var bytes: [UInt8] = []
        for label in labels {
            bytes.append(UInt8(label.count))
            bytes.append(contentsOf: label)
        }
        bytes.append(0)
        return bytes
    }

    /// Canonical wire form (RFC 4034 §6.2): uncompressed, ASCII lower case. TSIG signs this.
    public var canonicalWireFormat: [UInt8] { lowercased().wireFormat }

    public func lowercased() -> DNSName {
        DNSName(uncheckedLabels: labels.map { $0.map(Self.lower) })
    }

    /// The name with its first label removed (`nil` for the root).
    public var parent: DNSName? {
        labels.isEmpty ? nil : DNSName(uncheckedLabels: Array(labels.dropFirst()))
    }

    public var isRoot: Bool { labels.isEmpty }

    /// Whether `self` equals `other` or lies below it.
    public func isSubdomain(of other: DNSName) -> Bool {
        guard labels.count >= other.labels.count else { return false }
        return DNSName(uncheckedLabels: Array(labels.suffix(other.labels.count))) == other
    }

    /// Presentation form with a trailing dot; dots and non-printable bytes inside labels escaped.
    public var description: String { Self.text(of: labels) + "." }

    /// Presentation form without the trailing dot ("" for the root).
    public var textWithoutTrailingDot: String { Self.text(of: labels) }

    public static func == (lhs: DNSName, rhs: DNSName) -> Bool {
        guard lhs.labels.count == rhs.labels.count else { return false }
        for (left, right) in zip(lhs.labels, rhs.labels) {
            guard left.count == right.count else { return false }
            for (a, b) in zip(left, right) where lower(a) != lower(b) { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        for label in labels {
            hasher.combine(label.count)
            for byte in label { hasher.combine(Self.lower(byte)) }
        }
    }

    static func lower(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }

    static func text(of labels: [[UInt8]]) -> String {
        labels.map { label in
            var text = ""
            for byte in label {
                switch byte {
                case UInt8(ascii: "."), UInt8(ascii: "\\"):
                    text += "\\" + String(UnicodeScalar(byte))
                case 0x21...0x7E:
                    text.append(Character(UnicodeScalar(byte)))
                default:
                    let digits = String(byte)
                    text += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
                }
            }
            return text
        }.joined(separator: ".")
    }
}
