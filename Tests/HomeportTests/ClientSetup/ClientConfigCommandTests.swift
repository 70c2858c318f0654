import ClientSetup
import Foundation
import History
import QRCode
import Testing

/// `homeport client-config` as a user runs it: the real binary, a key made by `homeport keygen`,
/// and the QR code read back by zbarimg (zbar-tools), a decoder that shares no code with ours.
@Suite struct ClientConfigCommandTests {
    static let zbarimg = ToolRequirement(programs: ["/usr/bin/zbarimg"], needsRoot: false, apt: "zbar-tools")

    /// A state directory with a key pair and an empty configuration file, and the public key.
    static func prepared() async throws -> (dir: TemporaryDirectory, config: String, publicKey: String) {
        let dir = TemporaryDirectory()
        let config = dir.write("homeport.toml", "")
        let keygen = try await Homeport.run(["keygen", "--state-dir", dir.path, "--config", config])
        let line = keygen.stdout.split(separator: "\n").first { $0.hasPrefix("Public key: ") }
        let publicKey = try #require(line.map { String($0.dropFirst("Public key: ".count)) }, "\(keygen.stdout)\(keygen.stderr)")
        return (dir, config, publicKey)
    }

    static func json(_ output: Homeport.Output) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any], "\(output.stdout)\(output.stderr)")
    }

    @Test func textAndJSONCarryTheSameImportableString() async throws {
        let (dir, config, publicKey) = try await Self.prepared()
        defer { dir.remove() }
        let common = ["client-config", "--state-dir", dir.path, "--config", config, "--host", "Home.Example.net"]
        let text = try await Homeport.run(common)
        #expect(text.exitCode == 0, "\(text.stderr)")
        let json = try Self.json(try await Homeport.run(common + ["--json"]))
        let string = try #require(json["config_string"] as? String)
        #expect(try RustDeskServerConfig(decoding: string) == RustDeskServerConfig(host: "home.example.net", key: publicKey))
        let lines = text.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.contains { $0 == string }, "the string alone on a line:\n\(text.stdout)")
        #expect(lines.contains { $0 == "rustdesk --config \(string)" })
        #expect(lines.contains { $0 == "  ID server     home.example.net" } && lines.contains { $0 == "  Key           \(publicKey)" })
        #expect(json["id_server"] as? String == "home.example.net" && json["host_source"] as? String == "option")
        // Not a terminal and no --qr: no code, but a hint where to get one.
        #expect(text.stdout.contains("--qr FILE.png") && !text.stdout.contains("▀"))
        #expect(!text.stdout.contains(try String(contentsOfFile: dir.file("id_ed25519"), encoding: .utf8)), "never the secret key")
    }

    @Test(.enabled(if: zbarimg.shouldRun(), Comment(rawValue: zbarimg.skipMessage)))
    func thePNGDecodesToTheString() async throws {
        try Self.zbarimg.check()
        let (dir, config, _) = try await Self.prepared()
        defer { dir.remove() }
        // Other ports, so the relay is in the string too and the code is larger.
        let ports = dir.write("ports.toml", "[rendezvous]\nport = 30000\n[relay]\nport = 30005\n")
        for (configFile, name) in [(config, "code.png"), (ports, "ports.PNG")] {
            let output = try await Homeport.run(["client-config", "--state-dir", dir.path, "--config", configFile, "--host", "home.example.net",
                                                 "--json", "--qr", dir.file(name)])
            let json = try Self.json(output)
            let qrText = try #require(json["qr_text"] as? String)
            #expect(qrText == "config=" + (json["config_string"] as? String ?? "-"))
            let decoded = try await Programs.run("/usr/bin/zbarimg", ["--raw", "-q", dir.file(name)])
            #expect(decoded.exitCode == 0, "\(decoded.stderr)")
            #expect(decoded.stdout == qrText + "\n", "zbarimg read \(decoded.stdout)")
        }
    }

    /// The SVG holds exactly the modules of the code whose PNG zbarimg reads (zbarimg reads no
    /// SVG here: ImageMagick has no SVG delegate installed).
    @Test func theSVGDrawsTheCodesModules() async throws {
        let (dir, config, _) = try await Self.prepared()
        defer { dir.remove() }
        let output = try await Homeport.run(["client-config", "--state-dir", dir.path, "--config", config, "--host", "home.example.net",
                                             "--json", "--qr", dir.file("code.svg")])
        let code = try QRCode(encoding: try #require(try Self.json(output)["qr_text"] as? String))
        let svg = try String(contentsOfFile: dir.file("code.svg"), encoding: .utf8)
        let side = code.size + 2 * QRCode.quietZone
        #expect(svg.hasPrefix("<?xml") && svg.contains(#"viewBox="0 0 \#(side) \#(side)""#))
        var dark = Set<[Int]>()
        for run in svg.matches(of: /M(\d+) (\d+)h(\d+)v1h-\d+z/) {
            let (x, y, length) = (Int(run.output.1) ?? -1, Int(run.output.2) ?? -1, Int(run.output.3) ?? -1)
            for column in x..<(x + length) { dark.insert([y - QRCode.quietZone, column - QRCode.quietZone]) }
        }
        var expected = Set<[Int]>()
        for row in 0..<code.size { for column in 0..<code.size where code.isDark(row: row, column: column) { expected.insert([row, column]) } }
        #expect(!expected.isEmpty && dark == expected)
    }

    /// The modules the half-block lines show, quiet zone included.
    static func modules(inTerminalLines lines: [String]) -> [[Bool]] {
        var rows: [[Bool]] = []
        for line in lines {
            let cells = Array(TextTableWidthTests.visible(line))
            rows.append(cells.map { !"█▀".contains($0) })
            rows.append(cells.map { !"█▄".contains($0) })
        }
        return rows
    }

    @Test func theTerminalCodeFits100ColumnsAndShowsTheModules() async throws {
        let (dir, config, _) = try await Self.prepared()
        defer { dir.remove() }
        let ports = dir.write("ports.toml", "[rendezvous]\nport = 30000\n[relay]\nport = 30005\n")
        // A typical setup, and a long host name with both ports written out.
        for (configFile, host) in [(config, "home.example.net"), (ports, "remote-desktop.my-family-home.duckdns.org")] {
            for colour in ScreenWidthTests.colours {
                let output = try await Homeport.run(["client-config", "--state-dir", dir.path, "--config", configFile, "--host", host, "--qr", "-"],
                                                    environment: colour.environment)
                #expect(output.exitCode == 0, "\(output.stderr)")
                let all = output.stdout.split(separator: "\n").map(String.init)
                let start = try #require(all.firstIndex { $0.contains("Scan QR") }) + 1
                let lines = Array(all[start...].prefix { $0.contains("█") })
                #expect(lines.allSatisfy { TextTableWidthTests.visible($0).count <= 100 }, "\(lines.first.map { TextTableWidthTests.visible($0).count } ?? 0) columns")
                #expect(lines.allSatisfy { $0.hasPrefix("\u{1B}[97;40m") } == (colour.name == "on"))
                let json = try Self.json(try await Homeport.run(["client-config", "--state-dir", dir.path, "--config", configFile, "--host", host, "--json"]))
                let code = try QRCode(encoding: try #require(json["qr_text"] as? String))
                let shown = Self.modules(inTerminalLines: lines)
                let q = QRCode.quietZone
                #expect(shown.count >= code.size + 2 * q && shown.allSatisfy { $0.count == code.size + 2 * q })
                for row in 0..<(code.size + 2 * q) {
                    for column in 0..<(code.size + 2 * q) where shown[row][column] != code.isDark(row: row - q, column: column - q) {
                        Issue.record("module \(row - q),\(column - q) drawn wrong (colour \(colour.name))")
                        return
                    }
                }
            }
        }
    }

    @Test func aMissingKeyNamesThePathAndKeygen() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = dir.write("homeport.toml", "")
        let output = try await Homeport.run(["client-config", "--state-dir", dir.path, "--config", config, "--host", "home.example.net"])
        #expect(output.exitCode == 1)
        #expect(output.stderr.contains(dir.file("id_ed25519")) && output.stderr.contains("`homeport keygen`"), "\(output.stderr)")
        #expect(output.stdout.isEmpty)
    }

    @Test func aBarePublicAddressIsUsedWithAWarning() async throws {
        let (dir, config, _) = try await Self.prepared()
        defer { dir.remove() }
        let noHost = try await Homeport.run(["client-config", "--state-dir", dir.path, "--config", config])
        #expect(noHost.exitCode == 1)
        #expect(noHost.stderr.contains("--host NAME") && noHost.stderr.contains("No history yet"), "\(noHost.stderr)")

        let history = try HistoryStore(path: dir.file("history.sqlite3"))
        try await history.recordIPIfChanged(.init(time: Date(), address: "198.51.100.23", source: "test"))
        let output = try await Homeport.run(["client-config", "--state-dir", dir.path, "--config", config])
        #expect(output.exitCode == 0, "\(output.stderr)")
        #expect(output.stderr.contains("homeport: warning: no DDNS hostname is configured, so the clients get the public address 198.51.100.23"),
                "\(output.stderr)")
        #expect(output.stdout.contains("  ID server     198.51.100.23\n"))
    }

    @Test func badQROptionsAreRefused() async throws {
        let (dir, config, _) = try await Self.prepared()
        defer { dir.remove() }
        let common = ["client-config", "--state-dir", dir.path, "--config", config, "--host", "home.example.net"]
        let jpeg = try await Homeport.run(common + ["--qr", dir.file("code.jpg")])
        #expect(jpeg.exitCode == 1 && jpeg.stderr.contains(".png or .svg"), "\(jpeg.stderr)")
        let unwritable = try await Homeport.run(common + ["--qr", dir.file("missing/code.png")])
        #expect(unwritable.exitCode == 1 && unwritable.stderr.contains("No such file or directory"), "\(unwritable.stderr)")
        let mixed = try await Homeport.run(common + ["--json", "--qr", "-"])
        #expect(mixed.exitCode == 64 && mixed.stderr.contains("--qr -"), "\(mixed.stderr)")
    }
}
