import Foundation
import NIOCore
import NIOPosix
import RustDeskWire
import Synchronization

/// `soak`: for `duration` seconds, a relay started with a licence key gets at once
///   * valid pairs (right key) streaming a checked pattern both ways, 1 B – 4 MiB, some of
///     them ended by a RST from one side right after pairing;
///   * malformed first frames (random payload, oversized header, nested groups, another
///     message type, empty uuid), wrong and missing keys — the relay must close each;
///   * random garbage without a valid frame (closed by the bench after 1 s);
///   * a bounded number of slowloris connections (silent, half a header, half a frame, a
///     RequestRelay whose partner never comes) that the relay must close after its 30 s
///     handshake limit; each is replaced when it goes.
/// VmRSS of the relay is sampled every 10 s; min/max after the warm-up are reported. Exit 1 if
/// the relay dies or no longer relays at the end.
enum Soak {
    static let key = "soak-bench-key"

    static func run(options: Options, group: MultiThreadedEventLoopGroup) async throws -> Int32 {
        try raiseFileLimit(atLeast: 4 * options.slowloris + 1024)
        let relay = try RelayUnderTest.start(homeport: options.homeport, key: key)
        defer { relay.stop() }
        try await relay.probe(group: group, key: key)
        let duration = options.duration
        let warmUp = min(120, max(10, duration / 5))
        let deadline = NIODeadline.now() + .seconds(Int64(duration))
        let tally = Tally()
        let failures = FailureLog()
        log("soak: \(duration) s (warm-up \(warmUp) s): \(options.pairWorkers) pair loops, \(options.malformedWorkers) malformed/wrong-key loops, \(options.slowloris) slowloris connections; RSS every 10 s")

        let cpu0 = relay.process.cpuSeconds()
        var samples: [(second: Int, rss: Int)] = []
        var died: String?
        await withTaskGroup(of: Void.self) { tasks in
            for _ in 0..<options.pairWorkers {
                tasks.addTask { await pairLoop(relay: relay, group: group, until: deadline, tally: tally, failures: failures) }
            }
            for _ in 0..<options.malformedWorkers {
                tasks.addTask { await malformedLoop(relay: relay, group: group, until: deadline, tally: tally, failures: failures) }
            }
            for index in 0..<options.slowloris {
                tasks.addTask { await slowlorisLoop(index, relay: relay, group: group, until: deadline, tally: tally, failures: failures) }
            }
            // The monitor: liveness every second, RSS every 10 s.
            let start = NIODeadline.now()
            var second = 0
            while NIODeadline.now() < deadline {
                try? await Task.sleep(for: .seconds(1))
                second = Int((NIODeadline.now() - start).nanoseconds / 1_000_000_000)
                if let ended = relay.process.exitStatus() {
                    died = ended
                    break
                }
                if second % 10 == 0, samples.last?.second != second, let memory = relay.process.memory() {
                    samples.append((second, memory.rss))
                    let counts = tally.snapshot
                    log(String(format: "  %4d s  RSS %@  pairs ok %d failed %d  refused %d/%d  slowloris closed %d  relay CPU %.0f%%%@",
                               second, megabytes(memory.rss), counts["pair ok"] ?? 0, counts["pair failed"] ?? 0,
                               counts["refused"] ?? 0, (counts["refused"] ?? 0) + (counts["left open"] ?? 0),
                               counts["slowloris closed"] ?? 0, 100 * (relay.process.cpuSeconds() - cpu0) / Double(max(1, second)),
                               second <= warmUp ? " (warm-up)" : ""))
                }
            }
            if died != nil {
                tasks.cancelAll()
                // The loops notice the dead relay within their own time limits; do not wait.
            }
            await tasks.waitForAll()
        }
        let cpu = relay.process.cpuSeconds() - cpu0
        if let died {
            print("soak: FAILED — the relay \(died) during the soak\n\(relay.process.logTail)")
            return 1
        }

        // After the load: the relay must still relay, byte for byte.
        try await Task.sleep(for: .seconds(2))
        var finalCheck = "ok (1 MiB each way, checked)"
        do {
            try await relay.probe(group: group, bytes: 1 << 20, key: key, within: .seconds(20))
        } catch {
            finalCheck = "FAILED: \(error)"
        }
        let end = relay.process.memory()
        let counters = relay.adminStatus()?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let ended = relay.process.exitStatus() {
            print("soak: FAILED — the relay \(ended) at the end\n\(relay.process.logTail)")
            return 1
        }

        let counts = tally.snapshot
        let steady = samples.filter { $0.second > warmUp }.map(\.rss)
        print("")
        print("soak: \(duration) s against one relay (\(relay.process.threadCount()) threads), relay CPU \(String(format: "%.0f s = %.0f%% of a core", cpu, 100 * cpu / Double(duration)))")
        print("  valid pairs: \(counts["pair ok"] ?? 0) checked ok (\(megabytes(counts["pair bytes"] ?? 0)) relayed), \(counts["pair aborted"] ?? 0) ended by RST after pairing, \(counts["pair failed"] ?? 0) failed")
        print("  malformed/wrong key/no key: \(counts["refused"] ?? 0) closed by the relay, \(counts["left open"] ?? 0) left open > 5 s; garbage: \(counts["garbage"] ?? 0)")
        print("  slowloris: \(counts["slowloris opened"] ?? 0) opened, \(counts["slowloris closed"] ?? 0) closed by the relay (slowest after \(counts["slowloris max s"] ?? 0) s), \(counts["slowloris not closed"] ?? 0) still open after 45 s")
        print("  connect errors: \(counts["connect error"] ?? 0)")
        for message in failures.first { print("  first failures: \(message)") }
        if let first = steady.first, let low = steady.min(), let high = steady.max(), let last = steady.last {
            let spread = Double(high - low)
            let flat = spread <= max(4 * 1_048_576, 0.1 * Double(low))
            print("  RSS after warm-up (\(steady.count) samples, \(warmUp)–\(duration) s): min \(megabytes(low)), max \(megabytes(high)), first \(megabytes(first)), last \(megabytes(last)) → \(flat ? "flat" : "GROWING") (spread \(megabytes(high - low)); flat = ≤ max(4 MiB, 10 %))")
        } else {
            print("  RSS: too few samples after the warm-up (\(samples.count) in all); use a longer DURATION")
        }
        if let end { print("  RSS at the end: \(megabytes(end.rss)) (anonymous \(megabytes(end.anonymous)))") }
        print("  relay still relays after the soak: \(finalCheck)")
        if let counters { print("  relay counters: \(counters.replacingOccurrences(of: "\n", with: " "))") }
        return finalCheck.hasPrefix("ok") ? 0 : 1
    }

    // MARK: Loops

    static let pairSizes = [1, 100, 4096, 65536, 1 << 20, 4 << 20]

    static func pairLoop(relay: RelayUnderTest, group: any EventLoopGroup, until deadline: NIODeadline, tally: Tally, failures: FailureLog) async {
        while NIODeadline.now() < deadline, !Task.isCancelled {
            let abort = Int.random(in: 0..<10) == 0
            let ab = pairSizes.randomElement()!, ba = pairSizes.randomElement()!
            do {
                try await PairRun.run(group: group, port: relay.port, uuid: "soak-\(UInt64.random(in: 0...UInt64.max))", key: key,
                                      bytesAB: ab, bytesBA: ba, abortAfterPairing: abort, within: .seconds(30))
                tally.add(abort ? "pair aborted" : "pair ok")
                if !abort { tally.add("pair bytes", ab + ba) }
            } catch {
                tally.add("pair failed")
                failures.record("pair \(ab)/\(ba) B: \(error)")
            }
            try? await Task.sleep(for: .milliseconds(Int.random(in: 0...20)))
        }
    }

    /// The first bytes of a connection the relay must refuse (close), and whether it surely will.
    static func malformed() -> (name: String, bytes: [UInt8], refused: Bool) {
        func random(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255) } }
        switch Int.random(in: 0..<8) {
        case 0: return ("random payload", FrameHeader.frame(random(Int.random(in: 1...300)))!, true)
        case 1: return ("oversized header", [0xFF, 0xFF, 0xFF, 0xFF] + random(16), true)
        case 2: return ("nested groups", FrameHeader.frame(Array(repeating: 0x0B, count: 200))!, true)
        case 3: return ("other message", FrameHeader.frame(RendezvousCoding.encode(.with { $0.registerPeer = .with { $0.id = "123456789"; $0.serial = 1 } }))!, true)
        case 4: return ("empty uuid", requestRelayFrame(uuid: "", key: key), true)
        case 5: return ("wrong key", requestRelayFrame(uuid: "soak-wrong-\(UInt32.random(in: 0...UInt32.max))", key: "wrong-key"), true)
        case 6: return ("no key", requestRelayFrame(uuid: "soak-nokey-\(UInt32.random(in: 0...UInt32.max))"), true)
        default: return ("garbage", random(Int.random(in: 1...64)), false)
        }
    }

    static func malformedLoop(relay: RelayUnderTest, group: any EventLoopGroup, until deadline: NIODeadline, tally: Tally, failures: FailureLog) async {
        while NIODeadline.now() < deadline, !Task.isCancelled {
            let (name, bytes, refused) = malformed()
            let closed = group.next().makePromise(of: Void.self)
            do {
                let channel = try await Connect.tcp(group, port: relay.port) { [WatchHandler(closed: closed)] }
                try await Connect.send(channel, bytes)
                if refused {
                    do {
                        try await closed.futureResult.timeout(.seconds(5), "").get()
                        tally.add("refused")
                    } catch {
                        tally.add("left open")
                        failures.record("\(name): still open 5 s after its first frame")
                    }
                } else {
                    _ = try? await closed.futureResult.timeout(.seconds(1), "").get()
                    tally.add("garbage")
                }
                channel.close(promise: nil)
            } catch {
                closed.succeed()
                tally.add("connect error")
                failures.record("malformed connect/send: \(error)")
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// One slowloris slot: connect, send the kind's bytes (or nothing), wait for the relay to
    /// close; again, until the deadline. Slots 0–15 present a valid RequestRelay with no
    /// partner (from 127.0.0.2, under the relay's 32 waiting per IP).
    static func slowlorisLoop(_ index: Int, relay: RelayUnderTest, group: any EventLoopGroup, until deadline: NIODeadline, tally: Tally, failures: FailureLog) async {
        // Spread the slots over the first seconds so they do not all expire together.
        try? await Task.sleep(for: .milliseconds(Int.random(in: 0...10_000)))
        while NIODeadline.now() < deadline, !Task.isCancelled {
            let bytes: [UInt8]
            let source: String
            switch index {
            case 0..<16:
                bytes = requestRelayFrame(uuid: "soak-alone-\(index)-\(UInt32.random(in: 0...UInt32.max))", key: key)
                source = "127.0.0.2"
            default:
                // silent; the first byte of a 3-byte header; a 1000-byte frame cut after 10 bytes.
                bytes = [[], [0x02], Array(FrameHeader.encode(length: 1000)! + Array(repeating: 0x0A, count: 10))][index % 3]
                source = "127.0.0.3"
            }
            let closed = group.next().makePromise(of: Void.self)
            do {
                let opened = NIODeadline.now()
                let channel = try await Connect.tcp(group, port: relay.port, source: source) { [WatchHandler(closed: closed)] }
                tally.add("slowloris opened")
                if !bytes.isEmpty { try await Connect.send(channel, bytes) }
                let left = max(1, (deadline - NIODeadline.now()).nanoseconds / 1_000_000_000 + 1)
                do {
                    try await closed.futureResult.timeout(.seconds(min(45, left)), "").get()
                    let seconds = Int((NIODeadline.now() - opened).nanoseconds / 1_000_000_000)
                    tally.add("slowloris closed")
                    tally.max("slowloris max s", seconds)
                } catch {
                    if left > 45 {
                        tally.add("slowloris not closed")
                        failures.record("slowloris slot \(index): still open after 45 s")
                    }
                    channel.close(promise: nil)
                }
            } catch {
                closed.succeed()
                tally.add("connect error")
                failures.record("slowloris connect: \(error)")
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }
}

/// The first few failure messages (the rest are only counted).
final class FailureLog: Sendable {
    private let messages = Mutex<[String]>([])
    func record(_ message: String) { messages.withLock { if $0.count < 5 { $0.append(message) } } }
    var first: [String] { messages.withLock { $0 } }
}
