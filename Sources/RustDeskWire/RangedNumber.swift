/// Numbers from a user, a file or the environment (the hbbs/hbbr options of `homeport
/// rendezvous` and `homeport relay`, their admin commands), parsed and range-checked in one
/// place so that every refusal reads the same way: the name, the value as given and the
/// valid range. Overflow, NaN and infinity are refusals, never a trap.
public enum RangedNumber {
    public struct OutOfRange: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// A whole number within `range`.
    public static func integer<T: FixedWidthInteger>(_ text: String, name: String, in range: ClosedRange<T>,
                                                     unit: String? = nil) throws(OutOfRange) -> T {
        guard let value = T(trimmed(text)), range.contains(value) else {
            throw refusal(name, text, "a whole number", "\(range.lowerBound)", "\(range.upperBound)", unit)
        }
        return value
    }

    /// A whole number already parsed (a command-line flag), checked against `range`.
    public static func check<T: FixedWidthInteger>(_ value: T, name: String, in range: ClosedRange<T>,
                                                   unit: String? = nil) throws(OutOfRange) -> T {
        guard range.contains(value) else {
            throw refusal(name, "\(value)", "a whole number", "\(range.lowerBound)", "\(range.upperBound)", unit)
        }
        return value
    }

    /// A finite number within `range` (decimal or exponent notation).
    public static func decimal(_ text: String, name: String, in range: ClosedRange<Double>,
                               unit: String? = nil) throws(OutOfRange) -> Double {
        guard let value = Double(trimmed(text)), value.isFinite, range.contains(value) else {
            throw refusal(name, text, "a number", format(range.lowerBound), format(range.upperBound), unit)
        }
        return value
    }

    private static func refusal(_ name: String, _ text: String, _ kind: String, _ low: String, _ high: String,
                                _ unit: String?) -> OutOfRange {
        OutOfRange(description: "\(name) must be \(kind) from \(low) to \(high)\(unit.map { " (\($0))" } ?? ""), not '\(text)'.")
    }

    private static func trimmed(_ text: String) -> Substring {
        let start = text.drop { $0 == " " || $0 == "\t" }
        return start.prefix(start.count - start.reversed().prefix { $0 == " " || $0 == "\t" }.count)
    }

    /// 1000000 rather than 1000000.0; 0.1 as it is.
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
