import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A SIGHUP with a value that used to crash the parser killed the daemon and every service
/// with it. Now the reload is refused with the file:line sentence and the old configuration
/// keeps running.
@Suite(.serialized) struct DaemonReloadLimitTests {
    @Test func aReloadWithACrashingValueKeepsTheRunningConfiguration() async throws {
        var daemon = DaemonHarness(config: "[[service]]\nname = \"keep\"\ncommand = [\"sleep\", \"300\"]\n")
        defer { daemon.remove() }
        try await daemon.start()
        #expect(await eventually { (try? await daemon.service("keep"))?.state == .running })
        let keepPID = try await daemon.service("keep")?.pid
        let daemonPID = try #require(daemon.process?.pid)
        let prefixLines = DaemonHarness.prefix(for: "", builtins: false).filter { $0 == "\n" }.count

        let bad: [(text: String, line: Int, says: String)] = [
            ("[[service]]\nname = \"keep\"\ncommand = [\"sleep\", \"300\"]\nstop_timeout = \"999999999999999999d\"\n", 4,
             "'stop_timeout' in [[service]] #1 must be a duration from 0s to 10m"),
            ("[" + Array(repeating: "a", count: 300_000).joined(separator: ".") + "]\n", 1, "a key or table header has more than 32 dotted parts"),
        ]
        for (index, value) in bad.enumerated() {
            daemon.rewriteConfig(value.text)
            daemon.process?.signal(SIGHUP)
            let refused = await eventually(timeout: .seconds(20)) {
                daemon.log.components(separatedBy: "reload failed, keeping the running configuration").count == index + 2
            }
            #expect(refused, "\(daemon.log.suffix(2000))")
            #expect(daemon.log.contains("homeport.toml:\(prefixLines + value.line): \(value.says)"), "\(daemon.log.suffix(2000))")
            #expect(processExists(daemonPID), "the daemon died on the reload")
            #expect(try await daemon.service("keep")?.pid == keepPID)
            #expect(try await daemon.service("keep")?.state == .running)
        }
        daemon.process?.signal(SIGTERM)
        #expect(try await daemon.process?.wait() == .exited(0))
    }
}
