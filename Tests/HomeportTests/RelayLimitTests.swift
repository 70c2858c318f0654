import Foundation
import NIOCore
import Relay
import RustDeskWire
import Testing

/// Rate limits (docs/rustdesk-protocol.md#relay-limits; 1 Mb/s = 1 048 576 bit/s) and bounded memory with a slow
/// reader. Rates are measured at the receivers over 4 s after a warm-up second (the token
/// buckets start with one second of credit) and must be within 10 % of the configured rate.
/// The rates are a few MiB/s so that the relay's largest read burst (4 × 256 KiB) stays a
/// small part of what a window carries.
/// The relay tests that move a lot of data or measure rates run one at a time: in parallel
/// they take each other's CPU and the rate measurements drift.
@Suite(.serialized) struct RelayBulkTests {}

extension RelayBulkTests {
@Suite(.serialized) struct RelayLimitTests {
    static let tolerance = 0.10

    private func expectRate(_ measured: Double, megabits: Double, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let expected = megabits * 1_048_576 / 8
        let deviation = abs(measured - expected) / expected
        #expect(deviation <= Self.tolerance,
                "\(what): \(Int(measured)) B/s, configured \(Int(expected)) B/s (\(Int(deviation * 100)) % off)",
                sourceLocation: sourceLocation)
    }

    /// SINGLE_BANDWIDTH (64 Mb/s = 8 MiB/s) caps a session's two directions together.
    @Test(.timeLimit(.minutes(1))) func singleBandwidthCapsBothDirectionsOfASessionTogether() async throws {
        try await withRelay({ $0.singleBandwidth = 64 }) { _, port in
            let uuid = relayUUID()
            let a = try await RelayTestClient.paired(port: port, from: "127.0.0.2", uuid: uuid, verifying: TestStream(seed: 2))
            let b = try await RelayTestClient.paired(port: port, from: "127.0.0.3", uuid: uuid, verifying: TestStream(seed: 1))
            let start = ContinuousClock.now
            a.startStream(TestStream(seed: 1), total: 256 << 20)
            b.startStream(TestStream(seed: 2), total: 256 << 20)
            let rate = await measuredRate(of: [a, b], from: start, after: .seconds(1), window: .seconds(4))
            expectRate(rate, megabits: 64, "both directions together")
            #expect(a.receivedCount > 1 << 20, "each direction moves: \(a.receivedCount)")
            #expect(b.receivedCount > 1 << 20, "each direction moves: \(b.receivedCount)")
            #expect(a.firstMismatch == nil)
            #expect(b.firstMismatch == nil)
            await a.close()
            await b.close()
        }
    }

    /// DOWNGRADE_START_CHECK / DOWNGRADE_THRESHOLD: a session that keeps using more than the
    /// threshold share of SINGLE_BANDWIDTH after the start check is throttled to LIMIT_SPEED
    /// for the rest of its life (here: check after 1 s, 64 → 16 Mb/s).
    @Test(.timeLimit(.minutes(1))) func aLongHeavySessionIsDowngradedToLimitSpeed() async throws {
        try await withRelay({ $0.singleBandwidth = 64; $0.limitSpeed = 16; $0.downgradeStartCheck = 1; $0.downgradeThreshold = 0.5 }) { _, port in
            let uuid = relayUUID()
            let stream = TestStream(seed: 21)
            let sender = try await RelayTestClient.paired(port: port, from: "127.0.0.2", uuid: uuid)
            let receiver = try await RelayTestClient.paired(port: port, from: "127.0.0.3", uuid: uuid, verifying: stream)
            let start = ContinuousClock.now
            sender.startStream(stream, total: 256 << 20)
            // The checks run once a second: by 3 s the session is downgraded.
            let rate = await measuredRate(of: [receiver], from: start, after: .seconds(3), window: .seconds(4))
            expectRate(rate, megabits: 16, "after the downgrade")
            #expect(receiver.firstMismatch == nil)
            await sender.close()
            await receiver.close()
        }
    }

    /// TOTAL_BANDWIDTH (64 Mb/s) is shared by all sessions: two sessions each allowed far
    /// more move 8 MiB/s together.
    @Test(.timeLimit(.minutes(1))) func totalBandwidthIsSharedByAllSessions() async throws {
        try await withRelay({ $0.totalBandwidth = 64; $0.singleBandwidth = 1024 }) { _, port in
            var receivers: [RelayTestClient] = []
            var senders: [RelayTestClient] = []
            for index in 0..<2 {
                let uuid = relayUUID()
                let stream = TestStream(seed: UInt64(10 + index))
                senders.append(try await RelayTestClient.paired(port: port, from: "127.0.0.\(2 + index)", uuid: uuid))
                receivers.append(try await RelayTestClient.paired(port: port, from: "127.0.0.\(5 + index)", uuid: uuid, verifying: stream))
                senders[index].startStream(stream, total: 256 << 20)
            }
            let start = ContinuousClock.now
            let sessionRates = await withTaskGroup(of: Double.self, returning: [Double].self) { group in
                for receiver in receivers {
                    group.addTask { await measuredRate(of: [receiver], from: start, after: .seconds(1), window: .seconds(4)) }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            expectRate(sessionRates.reduce(0, +), megabits: 64, "two sessions together")
            for rate in sessionRates {
                #expect(rate > 0.2 * 64 * 1_048_576 / 8, "each session gets a share: \(sessionRates)")
            }
            for receiver in receivers { #expect(receiver.firstMismatch == nil) }
            for client in senders + receivers { await client.close() }
        }
    }

    /// The real binary, configured as hbbr is: SINGLE_BANDWIDTH=160 from the environment for
    /// ordinary sessions, LIMIT_SPEED=48 for an IP listed in blacklist.txt in the working
    /// directory (checked on either side of the session). Both sessions run at once.
    @Test(.timeLimit(.minutes(1))) func blacklistedIPsAreThrottledToLimitSpeed() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        _ = dir.write("blacklist.txt", "# throttled\n127.0.0.5 noisy neighbour\n")
        let relay = try await RelayChild.start(in: dir, environment: ["SINGLE_BANDWIDTH": "160", "LIMIT_SPEED": "48"],
                                               workingDirectory: dir.path)
        let slowUUID = relayUUID(), fastUUID = relayUUID()
        let slowStream = TestStream(seed: 5), fastStream = TestStream(seed: 6)
        let slowSender = try await RelayTestClient.paired(port: relay.port, from: "127.0.0.5", uuid: slowUUID)
        let slowReceiver = try await RelayTestClient.paired(port: relay.port, from: "127.0.0.6", uuid: slowUUID, verifying: slowStream)
        let fastSender = try await RelayTestClient.paired(port: relay.port, from: "127.0.0.7", uuid: fastUUID)
        let fastReceiver = try await RelayTestClient.paired(port: relay.port, from: "127.0.0.8", uuid: fastUUID, verifying: fastStream)
        let start = ContinuousClock.now
        slowSender.startStream(slowStream, total: 256 << 20)
        fastSender.startStream(fastStream, total: 256 << 20)
        async let slowRate = measuredRate(of: [slowReceiver], from: start, after: .seconds(1), window: .seconds(4))
        async let fastRate = measuredRate(of: [fastReceiver], from: start, after: .seconds(1), window: .seconds(4))
        expectRate(await slowRate, megabits: 48, "blacklisted session (LIMIT_SPEED)")
        expectRate(await fastRate, megabits: 160, "ordinary session (SINGLE_BANDWIDTH)")
        #expect(slowReceiver.firstMismatch == nil)
        #expect(fastReceiver.firstMismatch == nil)
        for client in [slowSender, slowReceiver, fastSender, fastReceiver] { await client.close() }
        try await relay.stop()
    }

    /// A receiver that reads nothing while its partner pushes 256 MiB: the sender stalls after
    /// a small fraction (kernel buffers plus the relay's bounded queue) and the relay process
    /// grows by less than 16 MiB. Once the receiver reads again, the stream continues intact.
    @Test(.timeLimit(.minutes(1))) func aSlowReaderKeepsRelayMemoryBounded() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let relay = try await RelayChild.start(in: dir, environment: ["SINGLE_BANDWIDTH": "100000", "TOTAL_BANDWIDTH": "100000"])
        let uuid = relayUUID()
        let stream = TestStream(seed: 0x51_0E)
        let sender = try await RelayTestClient.paired(port: relay.port, from: "127.0.0.2", uuid: uuid)
        let reader = try await RelayTestClient.paired(port: relay.port, from: "127.0.0.3", uuid: uuid, verifying: stream, paused: true)
        try await Task.sleep(for: .milliseconds(300))
        let baseline = try #require(relay.residentKiB)
        let payload = 256 << 20
        sender.startStream(stream, total: payload)
        var peak = baseline
        let stalled = await eventually(timeout: .seconds(20), every: .milliseconds(10)) {
            let before = sender.sentCount
            for _ in 0..<10 {
                peak = max(peak, relay.residentKiB ?? 0)
                try? await Task.sleep(for: .milliseconds(100))
            }
            return before > 0 && sender.sentCount == before
        }
        #expect(stalled, "the sender never stalled: \(sender.sentCount) bytes sent")
        peak = max(peak, relay.residentKiB ?? 0)
        let sentWhileStalled = sender.sentCount
        #expect(sentWhileStalled < 64 << 20, "sent \(sentWhileStalled) bytes to a reader that reads nothing")
        #expect(peak - baseline < 16 * 1024, "relay RSS grew from \(baseline) KiB to \(peak) KiB")
        #expect(reader.receivedCount == 0)

        reader.setReading(true)
        #expect(await reader.waitForBytes(sentWhileStalled + (8 << 20), timeout: .seconds(20)), "reading again, got \(reader.receivedCount)")
        #expect(reader.firstMismatch == nil)
        #expect(relay.residentKiB.map { $0 - baseline < 16 * 1024 } ?? false, "RSS \(relay.residentKiB ?? 0) KiB, baseline \(baseline) KiB")
        await sender.close()
        await reader.close()
        try await relay.stop()
    }
}
}
