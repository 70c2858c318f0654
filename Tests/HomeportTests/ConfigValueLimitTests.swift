import Config
import Foundation
import Testing

/// Values that used to crash `homeport config check` (durations whose seconds overflow an
/// Int, a header with 300 000 dotted parts) must be one sentence naming file, line, key and
/// what is valid, with the usual config exit status 78, never a signal (132 = SIGILL from
/// a Swift overflow trap, 139 = SIGSEGV from a blown stack).
@Suite(.serialized) struct ConfigValueLimitTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let text: String
        let line: Int
        let fragments: [String]
        var testDescription: String { fragments.first ?? text }
    }

    static let service = "[[service]]\nname = \"a\"\ncommand = [\"/bin/sh\"]\n"

    static let cases: [Case] = [
        Case(text: service + "stop_timeout = \"999999999999999999d\"\n", line: 4,
             fragments: ["'stop_timeout' in [[service]] #1 must be a duration from 0s to 10m (a number of seconds", "not the string \"999999999999999999d\""]),
        Case(text: service + "health_interval = \"999999999999999999h\"\n", line: 4,
             fragments: ["'health_interval' in [[service]] #1 must be", "from 0s to 1h"]),
        // A sum of components that each fit but together overflow Duration's 128 bits.
        Case(text: "[daemon]\nheartbeat_interval = \"" + String(repeating: "9223372036854775807s", count: 20) + "\"\n", line: 2,
             fragments: ["'heartbeat_interval' in [daemon] must be", "from 0s to 1h"]),
        Case(text: "[ip]\nenabled = false\ninterval = \"999999999999999999m\"\n", line: 3,
             fragments: ["'interval' in [ip] must be", "from 0s to 1d"]),
        Case(text: "[router]\nlease = \"999999999999999999d\"\n", line: 2, fragments: ["'lease' in [router] must be", "from 0s to 1d"]),
        Case(text: "[ip]\ntimeout = 9223372036854775807\n", line: 2, fragments: ["'timeout' in [ip] must be", "from 0s to 1m"]),
        Case(text: "[relay]\nport = 0\n", line: 2, fragments: ["'port' in [relay] must be from 1 to 65533, not 0"]),
        Case(text: "[[ddns]]\nprovider = \"duckdns\"\nhostnames = [\"h\"]\nttl = 99999999999\ntoken = \"t\"\n", line: 4,
             fragments: ["'ttl' in [[ddns]] #1 must be from 1 to 86400"]),
        Case(text: "[" + Array(repeating: "a", count: 300_000).joined(separator: ".") + "]\n", line: 1,
             fragments: ["more than 32 dotted parts"]),
        Case(text: "[daemon]\nx = " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n", line: 2,
             fragments: ["nested more than 32 deep"]),
        Case(text: "a = " + String(repeating: "{a=", count: 100_000) + "1" + String(repeating: "}", count: 100_000) + "\n", line: 1,
             fragments: ["nested more than 32 deep"]),
        Case(text: "# ok\n" + Array(repeating: "a", count: 100).joined(separator: ".") + " = 1\n", line: 2,
             fragments: ["more than 32 dotted parts"]),
    ]

    @Test(arguments: cases)
    func configCheckNamesLineKeyAndRange(_ input: Case) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = dir.write("homeport.toml", input.text)
        let output = try await Homeport.run(["config", "check", "--config", config])
        #expect(output.exitCode == 78, "status \(output.status), stderr: \(output.stderr.prefix(500))")
        #expect(output.stderr.hasPrefix("homeport: \(config):\(input.line): "), "\(output.stderr.prefix(500))")
        for fragment in input.fragments {
            #expect(output.stderr.contains(fragment), "\(output.stderr.prefix(500)) should contain \(fragment)")
        }
        #expect(output.stderr.count < 1000, "one sentence, not an echo of the input")
    }

    /// Dots and brackets that are data, not structure, are not counted.
    @Test func ordinaryTOMLIsWithinTheLimits() {
        let floats = (0..<100).map { "\($0).5" }.joined(separator: ", ")
        let manyDots = "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h"
        let texts = [
            "a = \"" + String(repeating: "x.", count: 100) + "\"\n",
            "v = [" + floats + "]\n",
            "v = [\n  " + floats + ",\n  " + floats + "\n]\n",
            "t = { a = {}, b = [" + floats + "] }\n",
            "s = \"\"\"\n" + String(repeating: "[{", count: 100) + " " + manyDots + "\n\"\"\"\n",
            "s = '''\n" + String(repeating: "[", count: 100) + "\n'''\nx = 1\n",
            "k = \"a \\\" " + String(repeating: "[", count: 40) + " \"  # " + String(repeating: "[", count: 40) + "\n",
            "\"" + manyDots + "\" = 1\n",
        ]
        for text in texts {
            #expect(TOMLInputLimits.check(text) == nil, "\(text.prefix(120))")
        }
        #expect(TOMLInputLimits.check("x = 1\n" + String(repeating: "y", count: 70_000) + "\n")?.line == 2)
        #expect(TOMLInputLimits.check("x = 1\n" + manyDots + " = 2\n")?.line == 2)
    }

    @Test func durationsJustInsideTheBoundsStillLoad() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = dir.write("homeport.toml", Self.service + "stop_timeout = \"9m60s\"\nhealth_interval = \"59m59s1000ms\"\n"
            + "[" + Array(repeating: "x", count: 32).joined(separator: ".") + "]\n")
        let output = try await Homeport.run(["config", "check", "--config", config])
        // The header is allowed by the limit; it then fails as an unknown key, as any typo would.
        #expect(output.stderr.contains("unknown key 'x' in the top level"), "\(output.stderr)")
    }
}
