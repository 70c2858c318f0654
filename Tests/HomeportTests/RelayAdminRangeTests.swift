import Foundation
import Testing
@testable import Relay

/// Rates set through the relay's admin socket are range-checked: `single-bandwidth
/// 0.0000000000001` used to be accepted and crash the relay at the next byte relayed.
@Suite struct RelayAdminRangeTests {
    @Test func anOutOfRangeRateIsRefusedAndSessionsKeepFlowing() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let relay = try await RelayChild.start(in: dir)
        let uuid = relayUUID()
        let a = try await RelayTestClient.paired(port: relay.port, from: "127.0.0.2", uuid: uuid, extra: [0xA])
        let b = try await RelayTestClient.paired(port: relay.port, from: "127.0.0.3", uuid: uuid, extra: [0xB])
        #expect(await a.waitForBytes(1))
        #expect(await b.waitForBytes(1))

        for command in ["single-bandwidth", "total-bandwidth", "limit-speed"] {
            for value in ["1e400", "nan", "0", "-5", "fast", "0.0000000000001"] {
                let reply = try await relay.admin("\(command) \(value)") as? [String: Any]
                let error = reply?["error"] as? String
                #expect(error?.contains(command) == true && error?.contains("from 0.1 to 1000000") == true,
                        "\(command) \(value): \(String(describing: reply))")
            }
        }
        #expect((try await relay.admin("single-bandwidth") as? [String: Double])?["single_bandwidth_mbps"] == 128)
        #expect((try await relay.admin("total-bandwidth") as? [String: Double])?["total_bandwidth_mbps"] == 1024)

        // The running session carries data both ways, and so does a new one (which takes the
        // single-bandwidth rate when it pairs).
        try await a.send([UInt8](repeating: 1, count: 200_000))
        try await b.send([UInt8](repeating: 2, count: 200_000))
        #expect(await b.waitForBytes(200_001, timeout: .seconds(10)), "\(b.debugState)")
        #expect(await a.waitForBytes(200_001, timeout: .seconds(10)), "\(a.debugState)")
        let second = relayUUID()
        let c = try await RelayTestClient.paired(port: relay.port, from: "127.0.0.4", uuid: second)
        let d = try await RelayTestClient.paired(port: relay.port, from: "127.0.0.5", uuid: second)
        try await Task.sleep(for: .milliseconds(100))
        try await c.send([UInt8](repeating: 3, count: 200_000))
        #expect(await d.waitForBytes(200_000, timeout: .seconds(10)), "\(d.debugState)")
        #expect(processExists(relay.process.pid), "log:\n\(relay.process.log)")
        for client in [a, b, c, d] { await client.close() }
        try await relay.stop()
    }
}

/// The wait a token bucket asks for is always a valid, bounded number of nanoseconds, even
/// for rates the settings no longer allow (the arithmetic must not trap on its own).
@Suite struct TokenBucketTests {
    @Test(arguments: [1e-13, 1e-300, Double.leastNonzeroMagnitude])
    func aTinyRateGivesABoundedWait(_ rate: Double) {
        var bucket = TokenBucket(bytesPerSecond: rate, now: 0)
        let wait = bucket.consume(1 << 20, now: 1_000)
        #expect(wait > 0 && wait <= 60_000_000_000, "at most a minute")
    }

    @Test func anOrdinaryRateWaitsForTheDebt() {
        var bucket = TokenBucket(bytesPerSecond: 1000, now: 0)
        #expect(bucket.consume(1000, now: 0) == 0)
        #expect(bucket.consume(500, now: 0) == 500_000_000)
    }
}
