import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Numbers given to `homeport rendezvous` and `homeport relay` (environment, flags) that used
/// to trap the process (exit 132) or to be taken as is: each now ends it at once with exit 1
/// and one line naming the variable, the value and the valid range.
@Suite struct ServerNumberRangeTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let command: String
        var environment: [String: String] = [:]
        var arguments: [String] = []
        let mentions: [String]
    }

    static let cases: [Case] = [
        Case(testDescription: "rendezvous SERIAL=99999999999", command: "rendezvous", environment: ["SERIAL": "99999999999"],
             mentions: ["SERIAL", "'99999999999'", "from 0 to 2147483647"]),
        Case(testDescription: "rendezvous -s 99999999999", command: "rendezvous", arguments: ["-s", "99999999999"],
             mentions: ["--serial", "'99999999999'", "from 0 to 2147483647"]),
        Case(testDescription: "rendezvous PORT=9223372036854775807", command: "rendezvous", environment: ["PORT": "9223372036854775807"],
             mentions: ["PORT", "'9223372036854775807'", "from 3 to 65533"]),
        Case(testDescription: "rendezvous -p 9223372036854775807", command: "rendezvous", arguments: ["-p", "9223372036854775807"],
             mentions: ["--port", "'9223372036854775807'", "from 3 to 65533"]),
        Case(testDescription: "rendezvous RMEM=99999999999", command: "rendezvous", environment: ["RMEM": "99999999999"],
             mentions: ["RMEM", "'99999999999'", "from 0 to 2147483647"]),
        Case(testDescription: "relay PORT=9223372036854775807", command: "relay", environment: ["PORT": "9223372036854775807"],
             mentions: ["PORT", "'9223372036854775807'", "from 1 to 65532"]),
        Case(testDescription: "relay SINGLE_BANDWIDTH=0.0000000000001", command: "relay", environment: ["SINGLE_BANDWIDTH": "0.0000000000001"],
             mentions: ["SINGLE_BANDWIDTH", "'0.0000000000001'", "from 0.1 to 1000000"]),
        Case(testDescription: "relay TOTAL_BANDWIDTH=1e-13", command: "relay", environment: ["TOTAL_BANDWIDTH": "1e-13"],
             mentions: ["TOTAL_BANDWIDTH", "'1e-13'", "from 0.1 to 1000000"]),
        Case(testDescription: "relay LIMIT_SPEED=1e400", command: "relay", environment: ["LIMIT_SPEED": "1e400"],
             mentions: ["LIMIT_SPEED", "'1e400'", "from 0.1 to 1000000"]),
        Case(testDescription: "relay DOWNGRADE_THRESHOLD=nan", command: "relay", environment: ["DOWNGRADE_THRESHOLD": "nan"],
             mentions: ["DOWNGRADE_THRESHOLD", "'nan'", "from 0.01 to 10"]),
        Case(testDescription: "relay DOWNGRADE_START_CHECK=1e300", command: "relay", environment: ["DOWNGRADE_START_CHECK": "1e300"],
             mentions: ["DOWNGRADE_START_CHECK", "'1e300'", "from 0 to 31536000"]),
    ]

    @Test(arguments: cases)
    func anOutOfRangeNumberIsAClearErrorNotACrash(_ rangeCase: Case) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var arguments = [rangeCase.command, "--state-dir", dir.file("state")] + rangeCase.arguments
        if !rangeCase.arguments.contains("-p") && rangeCase.environment["PORT"] == nil {
            arguments += ["-p", "\(TestPorts.random())"]
        }
        let process = try await HomeportProcess.start(arguments, logPath: dir.file("log"), environment: rangeCase.environment,
                                                      workingDirectory: dir.path)
        let status = try await process.exitStatus(within: .seconds(20))
        guard case .exited(let code)? = status else {
            Issue.record("\(rangeCase): not a clean exit (\(String(describing: status)); nil = still running, killed); log:\n\(process.log)")
            return
        }
        #expect(code == 1, "log:\n\(process.log)")
        let lines = process.log.split(separator: "\n")
        #expect(lines.count == 1, "one line: \(process.log)")
        for mention in rangeCase.mentions {
            #expect(process.log.contains(mention), "mentions \(mention): \(process.log)")
        }
    }
}
