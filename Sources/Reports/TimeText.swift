import Config
import Foundation

/// Dates and spans as the reports print them, in the local time zone.
public enum TimeText {
    public static func dateTime(_ date: Date) -> String {
        formatter("yyyy-MM-dd HH:mm:ss").string(from: date)
    }

    public static func minute(_ date: Date) -> String {
        formatter("yyyy-MM-dd HH:mm").string(from: date)
    }

    public static func day(_ date: Date) -> String {
        formatter("MM-dd EEE").string(from: date)
    }

    public static func month(_ date: Date) -> String {
        formatter("yyyy-MM").string(from: date)
    }

    public static func span(_ seconds: TimeInterval) -> String {
        DurationText.format(.seconds(max(0, Int(seconds.rounded()))))
    }

    /// "3m ago", "in 20s".
    public static func relative(_ date: Date, now: Date) -> String {
        let delta = date.timeIntervalSince(now)
        return delta >= 0 ? "in \(span(delta))" : "\(span(-delta)) ago"
    }

    public static func percent(_ fraction: Double?) -> String {
        guard let fraction else { return "-" }
        if fraction >= 1 { return "100%" }
        return String(format: "%.2f%%", min(fraction * 100, 99.99))
    }

    private static func formatter(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = format
        return formatter
    }

    public static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone.current
        return calendar
    }
}
