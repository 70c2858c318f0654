/// Durations as people write them in config files and on the command line: `90` (seconds),
/// `"500ms"`, `"90s"`, `"5m"`, `"1h30m"`, `"7d"`.
public enum DurationText {
    public static let help = "a number of seconds or a string such as \"500ms\", \"90s\", \"5m\", \"1h30m\" or \"7d\""

    /// The longest duration `parse` accepts: 100 years. Each key has its own, smaller bound;
    /// this one keeps the arithmetic far from overflow whatever the caller does with it.
    public static let ceiling: Duration = .seconds(36_500 * 86_400)

    /// nil for text that is not a duration, and for one longer than `ceiling` (which would
    /// otherwise overflow: `999999999999999999d` is more seconds than an Int holds).
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.filter { !$0.isWhitespace }
        guard !trimmed.isEmpty else { return nil }
        if let seconds = Int(trimmed) {
            guard seconds >= 0, seconds <= ceilingMilliseconds / 1000 else { return nil }
            return .seconds(seconds)
        }
        // Milliseconds in an Int reach 292 million years, so checked Int arithmetic on them
        // catches every overflow before `ceiling` is compared.
        var total = 0
        var number = ""
        var unit = ""
        var sawAny = false
        func flush() -> Bool {
            guard let value = Int(number), value >= 0 else { return false }
            let scale: Int
            switch unit {
            case "ms": scale = 1
            case "s": scale = 1000
            case "m": scale = 60_000
            case "h": scale = 3_600_000
            case "d": scale = 86_400_000
            default: return false
            }
            let (product, productOverflow) = value.multipliedReportingOverflow(by: scale)
            let (sum, sumOverflow) = total.addingReportingOverflow(product)
            guard !productOverflow, !sumOverflow, sum <= ceilingMilliseconds else { return false }
            total = sum
            sawAny = true
            number = ""
            unit = ""
            return true
        }
        for character in trimmed {
            if character.isASCII, character.isNumber {
                if !unit.isEmpty { guard flush() else { return nil } }
                number.append(character)
            } else if character.isASCII, character.isLetter {
                guard !number.isEmpty else { return nil }
                unit.append(character)
            } else {
                return nil
            }
        }
        guard flush(), sawAny else { return nil }
        return .milliseconds(total)
    }

    private static let ceilingMilliseconds = 36_500 * 86_400_000

    /// Compact human form: `45s`, `3m 20s`, `2h 5m`, `4d 3h`.
    public static func format(_ duration: Duration) -> String {
        let total = Int(duration.components.seconds)
        if total < 60 {
            if total == 0, duration.components.attoseconds > 0 {
                return "\(duration.components.attoseconds / 1_000_000_000_000_000)ms"
            }
            return "\(total)s"
        }
        let days = total / 86400, hours = (total % 86400) / 3600, minutes = (total % 3600) / 60, seconds = total % 60
        if days > 0 { return hours > 0 ? "\(days)d \(hours)h" : "\(days)d" }
        if hours > 0 { return minutes > 0 ? "\(hours)h \(minutes)m" : "\(hours)h" }
        return seconds > 0 ? "\(minutes)m \(seconds)s" : "\(minutes)m"
    }

    public static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
