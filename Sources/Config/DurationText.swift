/// Durations as people write them in config files and on the command line: `90` (seconds),
/// `"500ms"`, `"90s"`, `"5m"`, `"1h30m"`, `"7d"`.
public enum DurationText {
    public static let help = "a number of seconds or a string such as \"500ms\", \"90s\", \"5m\", \"1h30m\" or \"7d\""

    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.filter { !$0.isWhitespace }
        guard !trimmed.isEmpty else { return nil }
        if let seconds = Int(trimmed), seconds >= 0 { return .seconds(seconds) }
        var total: Duration = .zero
        var number = ""
        var unit = ""
        var sawAny = false
        func flush() -> Bool {
            guard let value = Int(number), value >= 0 else { return false }
            switch unit {
            case "ms": total += .milliseconds(value)
            case "s": total += .seconds(value)
            case "m": total += .seconds(value * 60)
            case "h": total += .seconds(value * 3600)
            case "d": total += .seconds(value * 86400)
            default: return false
            }
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
        return total
    }

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
