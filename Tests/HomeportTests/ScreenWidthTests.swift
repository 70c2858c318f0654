import Foundation
import StatusModel
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Every line the everyday commands print fits 100 columns, with colour on and off (colour
/// forced with CLICOLOR_FORCE, as on a terminal).
@Suite(.serialized) struct ScreenWidthTests {
    static let colours: [(name: String, environment: [String: String])] = [
        ("off", ["NO_COLOR": "1"]),
        ("on", ["NO_COLOR": "", "CLICOLOR_FORCE": "1"]),
    ]

    static func overWide(_ output: String) -> [String] {
        output.split(separator: "\n").map { TextTableWidthTests.visible($0) }.filter { $0.count > 100 }
    }

    @Test func providersListFits() async throws {
        for colour in Self.colours {
            let output = try await Homeport.run(["providers", "list"], environment: colour.environment)
            #expect(output.exitCode == 0, "\(output.stderr)")
            #expect(Self.overWide(output.stdout).isEmpty, "colour \(colour.name): \(Self.overWide(output.stdout))")
            #expect(output.stdout.contains("learn.microsoft.com/"), "documentation links shortened, not dropped")
            if colour.name == "off" { Self.expectReadmeSnapshot("providers list", matches: output.stdout) }
        }
    }

    /// The README block after `<!-- snapshot: NAME -->`: every line but "…" (an omission) is
    /// printed, in order; table rows with latencies are left out of the comparison, and
    /// `<config dir>` matches whatever configuration directory this user has.
    static func expectReadmeSnapshot(_ name: String, matches output: String, skippingTableFrom tableHeader: String? = nil) {
        let readme = (try? String(contentsOf: DocsCitationTests.repository.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
        guard let marker = readme.range(of: "<!-- snapshot: \(name) -->\n```text\n"), let end = readme.range(of: "\n```", range: marker.upperBound..<readme.endIndex) else {
            Issue.record("README has no snapshot of \(name)")
            return
        }
        var inTable = false
        let expected = readme[marker.upperBound..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            if let tableHeader, line.hasPrefix(tableHeader) { inTable = true }
            if inTable && line.isEmpty { inTable = false }
            return !inTable && line != "…"
        }
        var actual = output.split(separator: "\n", omittingEmptySubsequences: false)[...]
        // `<config dir>` in the README stands for this user's configuration directory.
        func matches(_ printed: Substring, _ line: Substring) -> Bool {
            guard let placeholder = line.range(of: "<config dir>") else { return printed == line }
            let prefix = line[..<placeholder.lowerBound], suffix = line[placeholder.upperBound...]
            return printed.count >= prefix.count + suffix.count && printed.hasPrefix(prefix) && printed.hasSuffix(suffix)
        }
        for line in expected {
            guard let index = actual.firstIndex(where: { matches($0, line) }) else {
                Issue.record("README snapshot of \(name): '\(line)' is not in the output (in order):\n\(output)")
                return
            }
            actual = actual[(index + 1)...]
        }
    }

    /// `ip` with the embedded defaults in a network namespace of its own: every internet source
    /// fails, which gives the longest answers, and each failure reads as a sentence.
    @Test func ipFitsAndSaysWhyEachSourceFailed() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = dir.write("homeport.toml", "[ip]\ntimeout = \"1s\"\n")
        for colour in Self.colours {
            let variables = colour.environment.map { "\($0.key)=\($0.value)" }
            let output = try await Programs.run("/usr/bin/unshare", ["--net", "/usr/bin/env"] + variables + [TestBinary.homeport, "ip", "--config", config])
            #expect(output.stdout.contains("Verdict:"), "\(output.stdout)\n\(output.stderr)")
            #expect(Self.overWide(output.stdout).isEmpty, "colour \(colour.name): \(Self.overWide(output.stdout))")
            #expect(output.stdout.contains("api.ipify.org") && output.stdout.contains("host name not found"), "\(output.stdout)")
            #expect(!output.stdout.contains("NSURLErrorDomain") && !output.stdout.contains("-1003"), "\(output.stdout)")
            #expect(output.stdout.contains("\u{1B}[") == (colour.name == "on"))
            if colour.name == "off" { Self.expectReadmeSnapshot("ip", matches: output.stdout, skippingTableFrom: "SOURCE ") }
        }
    }

    /// A router that does not answer gives every mapped port the same reason: printed once,
    /// below a table that fits, followed by the forwards to make by hand.
    @Test func statusWithAnUnansweredRouterFits() async throws {
        var daemon = DaemonHarness(config: """
            [rendezvous]
            port = 41116

            [relay]
            port = 41117

            [router]
            gateway = "127.0.0.1"
            map_ports = true

            [[service]]
            name = "files"
            command = ["sleep", "300"]
            """, builtins: true)
        defer { daemon.remove() }
        try await daemon.start()
        let failed = await eventually(timeout: .seconds(30)) {
            let status = try? await daemon.status()
            return status?.portMappings?.filter { $0.state == "unavailable" }.count == 6 && status?.manualPortForwards?.count == 6
        }
        let mappings = try await daemon.status().portMappings ?? []
        #expect(failed && (mappings.compactMap(\.reason).first?.count ?? 0) > 30, "\(mappings)")
        for colour in Self.colours {
            let output = try await Homeport.run(["status"] + daemon.locationArguments, environment: colour.environment)
            #expect(output.exitCode == 0, "\(output.stderr)")
            #expect(Self.overWide(output.stdout).isEmpty, "colour \(colour.name): \(Self.overWide(output.stdout))")
            let plain = output.stdout.split(separator: "\n").map { TextTableWidthTests.visible($0) }
            let header = try #require(plain.first { $0.hasPrefix("SERVICE     STATE") }, "\(plain)")
            let row = try #require(plain.first { $0.hasPrefix("files ") })
            #expect(header.range(of: "PID")?.lowerBound.utf16Offset(in: header) == row.range(of: "\\d+  ", options: .regularExpression)?.lowerBound.utf16Offset(in: row),
                    "PID under its header: \(header) / \(row)")
            #expect(plain.filter { $0.contains("no router answered PCP, NAT-PMP or UPnP") }.count == 1, "the reason once, below the table:\n\(output.stdout)")
            #expect(plain.contains { $0.hasPrefix("[1] ") }, "\(output.stdout)")
            if colour.name == "off" {
                // From the port mappings on, with numbers (ports, pids, addresses) and column
                // padding normalised; the footnote comparison covers the forwards by hand below it.
                let normalise = { (text: String) in
                    text.split(separator: "\n").map {
                        $0.replacingOccurrences(of: "[0-9]+", with: "N", options: .regularExpression).split(separator: " ").joined(separator: " ")
                    }.joined(separator: "\n")
                }
                let readme = (try? String(contentsOf: DocsCitationTests.repository.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
                let snapshot = readme.components(separatedBy: "<!-- snapshot: status -->").dropFirst().first?.components(separatedBy: "Router port mappings").dropFirst().first?
                    .components(separatedBy: "```").first ?? "(no status snapshot in the README)"
                let actual = output.stdout.components(separatedBy: "Router port mappings").dropFirst().first ?? ""
                let expectedRows = normalise(snapshot).split(separator: "\n").filter { $0.hasPrefix("rendezvous") || $0.hasPrefix("relay") }
                let actualRows = normalise(actual).split(separator: "\n").filter { $0.hasPrefix("rendezvous") || $0.hasPrefix("relay") }
                #expect(expectedRows == actualRows && actualRows.count == 6, "README status snapshot:\n\(snapshot)\nreal:\n\(actual)")
                let footnote = { (text: String) in normalise(text).split(separator: "\n").drop { !$0.hasPrefix("[N]") }.joined(separator: "\n") }
                #expect(footnote(snapshot) == footnote(actual) && !footnote(actual).isEmpty, "README status snapshot:\n\(snapshot)\nreal:\n\(actual)")
            }
        }
        daemon.process?.signal(SIGTERM)
        _ = try await daemon.process?.wait()
    }
}
