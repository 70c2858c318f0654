import Foundation
import History
import InternetAddress
import Testing

/// `history ip` tells "never confirmed" from "unchanged".
@Suite struct IPHistoryWordingTests {
    @Test func noAddressEverConfirmedIsNotNoChange() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let state = dir.file("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let store = try HistoryStore(path: state + "/history.sqlite3")

        let never = try await Homeport.run(["history", "ip", "--state-dir", state])
        #expect(never.exitCode == 0, "\(never.stderr)")
        #expect(never.stdout.hasPrefix("No public address confirmed yet"), "\(never.stdout)")
        #expect(!never.stdout.contains("No public address changes"), "\(never.stdout)")

        let address: IPAddress = "203.0.113.7"
        try await store.recordIPIfChanged(IPObservation(time: Date() - 10 * 86400, address: address, source: "a, b"))
        let unchanged = try await Homeport.run(["history", "ip", "--state-dir", state])
        #expect(unchanged.stdout.contains("ipv4 203.0.113.7"), "\(unchanged.stdout)")
        #expect(unchanged.stdout.contains("No public address changes since"), "\(unchanged.stdout)")
    }
}
