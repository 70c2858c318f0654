import Foundation
import History

/// The uptime timeline: hourly cells (one row per day) for windows up to 31 days, daily
/// cells (one row per month) beyond.
public enum Timeline {
    public static func isHourly(since: Date, now: Date) -> Bool {
        now.timeIntervalSince(since) <= 31 * 86400
    }

    static func cells(report: UptimeReport, since: Date, now: Date) -> [UptimeSummary.TimelineCell] {
        let calendar = TimeText.calendar
        let hourly = isHourly(since: since, now: now)
        let unit: Calendar.Component = hourly ? .hour : .day
        var start = calendar.dateInterval(of: unit, for: since)?.start ?? since
        var cells: [UptimeSummary.TimelineCell] = []
        while start < now {
            let end = calendar.date(byAdding: unit, value: 1, to: start) ?? start.addingTimeInterval(hourly ? 3600 : 86400)
            cells.append(.init(start: start, up: report.fraction(from: max(start, since), to: min(end, now))))
            start = end
        }
        return cells
    }

    /// Rows of glyphs: █ up, ▓ mostly up, ▒ partly, ░ down, · no data.
    public static func render(_ cells: [UptimeSummary.TimelineCell], hourly: Bool, style: Style) -> [String] {
        let calendar = TimeText.calendar
        var rows: [String] = []
        var current: (label: String, key: Int, glyphs: String)?
        for cell in cells {
            let key = hourly ? calendar.ordinality(of: .day, in: .era, for: cell.start) ?? 0 : calendar.component(.month, from: cell.start) + 12 * calendar.component(.year, from: cell.start)
            if current?.key != key {
                if let row = current { rows.append("\(row.label)  \(row.glyphs)") }
                let label = hourly ? TimeText.day(cell.start) : TimeText.month(cell.start)
                // Pad a first row that starts mid-day or mid-month so columns line up.
                let offset = hourly ? calendar.component(.hour, from: cell.start) : calendar.component(.day, from: cell.start) - 1
                current = (label, key, String(repeating: " ", count: offset))
            }
            current?.glyphs += glyph(cell.up, style: style)
        }
        if let row = current { rows.append("\(row.label)  \(row.glyphs)") }
        return rows
    }

    static func glyph(_ up: Double?, style: Style) -> String {
        guard let up else { return style.dim("·") }
        if up >= 0.9999 { return style.green("█") }
        if up >= 0.9 { return style.yellow("▓") }
        if up > 0 { return style.yellow("▒") }
        return style.red("░")
    }

    public static func legend(hourly: Bool) -> String {
        hourly
            ? "one row per day, one cell per hour (00 to 23): █ up  ▓ ≥90%  ▒ partly  ░ down  · no data"
            : "one row per month, one cell per day: █ up  ▓ ≥90%  ▒ partly  ░ down  · no data"
    }
}
