import Foundation
import Reports
import Testing

/// Tables and reports measured the way a terminal shows them: colour escapes take no column.
@Suite struct TextTableWidthTests {
    static func visible(_ line: some StringProtocol) -> String {
        String(line).replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
    }

    @Test func colouredCellsKeepTheHeaderAligned() {
        let style = Style(color: true)
        var table = TextTable(headers: ["SERVICE", "STATE", "PID"])
        table.add(["files", style.green("running"), "42"])
        table.add(["broken", style.red("crash-looping"), "-"])
        let lines = table.render().split(separator: "\n").map { Self.visible($0) }
        let column = lines[0].range(of: "PID").map { lines[0].distance(from: lines[0].startIndex, to: $0.lowerBound) }
        #expect(column == 24, "\(lines)")
        #expect(lines[1].hasSuffix("running        42"), "\(lines)")
        #expect(lines[2].hasSuffix("crash-looping  -"), "\(lines)")
    }

    @Test func aWideTableWrapsAtWordsToFitTheScreen() {
        let style = Style(color: true)
        var table = TextTable(headers: ["SOURCE", "ANSWER", "TIME"])
        let long = (1...40).map { "word\($0)" }.joined(separator: " ")
        table.add(["api.ipify.org", style.yellow(long), "3 ms"])
        table.add(["router", "1.2.3.4", "1 ms"])
        let lines = table.render().split(separator: "\n").map(String.init)
        #expect(lines.allSatisfy { Self.visible($0).count <= 100 }, "\(lines)")
        #expect(lines.count > 3, "the long answer wraps")
        let words = lines.flatMap { Self.visible($0).split(separator: " ") }.filter { $0.hasPrefix("word") }
        #expect(words.count == 40 && Set(words).count == 40, "every word whole: \(words)")
        #expect(lines.dropFirst().allSatisfy { $0.contains("word") ? $0.contains("\u{1B}[33m") : true }, "each wrapped line keeps its colour")
    }

    @Test func elisionCutsAtAWord() {
        let text = "the provider answered badauth because the token does not belong to this host name"
        let cut = WordWrap.elide(text, width: 30)
        #expect(cut == "the provider answered badauth…")
        #expect(WordWrap.elide("short", width: 30) == "short")
    }

    @Test func proseWrapsWithAHangingIndent() {
        let line = "  • " + Array(repeating: "compare the router's WAN address", count: 6).joined(separator: " ")
        let lines = WordWrap.fit(line).split(separator: "\n")
        #expect(lines.count == 3 && lines.allSatisfy { $0.count <= 100 }, "\(lines)")
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("    ") && !$0.hasPrefix("     ") }, "\(lines)")
    }
}
