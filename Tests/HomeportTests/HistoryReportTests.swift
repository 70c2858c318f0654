import Daemon
import Foundation
import History
import Reports
import StatusModel
import Testing

@Suite struct HistoryReportTests {
    @Test func historyCommandsOnAGeneratedMonth() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let state = dir.file("state")
        let generated = try await Homeport.run(["debug", "generate-history", "--state-dir", state, "--days", "30", "--services", "2"])
        #expect(generated.exitCode == 0, "\(generated.stderr)")

        let text = try await Homeport.run(["history", "uptime", "--since", "7d", "--state-dir", state])
        #expect(text.exitCode == 0)
        #expect(!text.stdout.contains("\u{1B}["), "no colour when not on a terminal")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("SERVICE    24H") && $0.hasSuffix("WINDOW  OUTAGES  DOWNTIME") })
        #expect(lines.contains { $0.hasPrefix("service-0  ") && $0.contains("%") })
        #expect(text.stdout.contains("one row per day, one cell per hour"))
        // 7 days of hourly cells: 8 day rows (the first and last partial), each at most 24 cells.
        let rows = lines.filter { $0.range(of: #"^\d\d-\d\d \w\w\w  "#, options: .regularExpression) != nil }
        #expect(rows.count == 16, "8 rows for each of 2 services, got \(rows.count)")
        #expect(rows.allSatisfy { $0.count <= 11 + 24 })
        #expect(text.stdout.contains("OUTAGE START"))

        let json = try await Homeport.run(["history", "uptime", "--since", "7d", "--json", "--state-dir", state])
        let summary = try StatusJSON.decoder().decode(UptimeSummary.self, from: Data(json.stdout.utf8))
        #expect(summary.services.map(\.name) == ["service-0", "service-1"])
        for service in summary.services {
            #expect((168...169).contains(service.timeline.count))
            let window = try #require(service.uptimeWindow)
            #expect(window > 0.5 && window <= 1)
            #expect(service.outages.allSatisfy { $0.end > summary.from })
        }

        let yearly = try await Homeport.run(["history", "uptime", "--since", "60d", "--state-dir", state])
        #expect(yearly.stdout.contains("one row per month, one cell per day"))

        let events = try await Homeport.run(["history", "events", "--since", "30d", "--json", "--service", "service-1", "--state-dir", state])
        let decoded = try StatusJSON.decoder().decode([ServiceEvent].self, from: Data(events.stdout.utf8))
        #expect(!decoded.isEmpty && decoded.allSatisfy { $0.service == "service-1" })
        #expect(decoded.count <= 200, "the default limit")

        let ip = try await Homeport.run(["history", "ip", "--since", "30d", "--state-dir", state])
        #expect(ip.exitCode == 0)
        #expect(ip.stdout.contains("ipv4") || ip.stdout.contains("No public address changes"))
    }

    @Test func historyWithoutADatabaseSaysSo() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let output = try await Homeport.run(["history", "uptime", "--state-dir", dir.file("empty")])
        #expect(output.exitCode == 1)
        #expect(output.stderr == "homeport: No history yet: \(dir.file("empty"))/history.sqlite3 does not exist (the daemon creates it on its first run).\n")
    }

    @Test func timelineGlyphsAndColour() {
        let start = Calendar.current.startOfDay(for: Date()).addingTimeInterval(-86400)
        let cells = (0..<30).map { hour in
            UptimeSummary.TimelineCell(start: start.addingTimeInterval(Double(hour) * 3600), up: [1.0, 0.95, 0.5, 0.0, nil][hour % 5])
        }
        let plain = Timeline.render(cells, hourly: true, style: Style(color: false))
        #expect(plain.count == 2)
        #expect(plain[0].hasSuffix("  █▓▒░·█▓▒░·█▓▒░·█▓▒░·█▓▒░"))
        #expect(plain[1].hasSuffix("  ·█▓▒░·"))
        let coloured = Timeline.render(cells, hourly: true, style: Style(color: true))
        #expect(coloured[0].contains("\u{1B}[32m█\u{1B}[0m"))
        #expect(coloured[0].contains("\u{1B}[31m░\u{1B}[0m"))
    }
}
