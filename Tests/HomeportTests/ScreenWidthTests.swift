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
        }
    }

    /// A router that does not answer gives every mapped port the same long reason: printed once,
    /// below a table that fits.
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
            let mappings = (try? await daemon.status().portMappings) ?? []
            // The ports are tried one after another (issue 12, defect 7): four failed is enough here.
            return mappings.filter { $0.state == "unavailable" }.count >= 4
        }
        let mappings = try await daemon.status().portMappings ?? []
        #expect(failed && (mappings.compactMap(\.reason).first?.count ?? 0) > 100, "\(mappings)")
        for colour in Self.colours {
            let output = try await Homeport.run(["status"] + daemon.locationArguments, environment: colour.environment)
            #expect(output.exitCode == 0, "\(output.stderr)")
            #expect(Self.overWide(output.stdout).isEmpty, "colour \(colour.name): \(Self.overWide(output.stdout))")
            let plain = output.stdout.split(separator: "\n").map { TextTableWidthTests.visible($0) }
            let header = try #require(plain.first { $0.hasPrefix("SERVICE     STATE") }, "\(plain)")
            let row = try #require(plain.first { $0.hasPrefix("files ") })
            #expect(header.range(of: "PID")?.lowerBound.utf16Offset(in: header) == row.range(of: "\\d+  ", options: .regularExpression)?.lowerBound.utf16Offset(in: row),
                    "PID under its header: \(header) / \(row)")
            #expect(plain.filter { $0.contains("no router protocol made the mapping") }.count == 1, "the reason once, below the table:\n\(output.stdout)")
            #expect(plain.contains { $0.hasPrefix("[1] ") }, "\(output.stdout)")
        }
        daemon.process?.signal(SIGTERM)
        _ = try await daemon.process?.wait()
    }
}
