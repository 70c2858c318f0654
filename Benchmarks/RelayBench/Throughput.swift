import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// `throughput`: the same sender and receiver, N bytes one way, through
///   relay   homeport relay (both sides send RequestRelay with one uuid, then the sender streams),
///   socat   `socat -b 262144 TCP-LISTEN:Y,bind=127.0.0.1,reuseaddr TCP:127.0.0.1:X` (X = receiver),
///   direct  sender → receiver,
/// measuring wall time from the first byte sent to the last byte received, and the CPU (utime +
/// stime) of the process in the middle over the same interval.
enum Throughput {
    enum Path: String, CaseIterable, Sendable { case relay, socat, direct }

    struct Run {
        var path: Path
        var seconds: Double
        var middleCPU: Double?
        var benchCPU: Double
        var machineCPU: Double
    }

    static func run(options: Options, group: MultiThreadedEventLoopGroup) async throws -> Int32 {
        let bytes = options.bytes
        let socat = Socat.find()
        if socat == nil {
            print("socat row skipped: socat is needed for the comparison (apt-get install socat)")
        }
        let relay = try RelayUnderTest.start(homeport: options.homeport)
        defer { relay.stop() }
        try await relay.probe(group: group)
        let paths = Path.allCases.filter { $0 != .socat || socat != nil }
        log("throughput: \(bytes.formatted()) bytes per run, \(options.rounds) round(s) of \(paths.map(\.rawValue).joined(separator: ", ")); bench uses \(options.threads) event-loop thread(s)")

        // A short warm-up of every path (page cache, TCP autotuning, the relay's allocator).
        for path in paths {
            _ = try await transfer(path, bytes: min(bytes, 64 << 20), relay: relay, socat: socat, group: group)
        }
        var runs: [Run] = []
        for round in 1...options.rounds {
            for path in paths {
                let result = try await transfer(path, bytes: bytes, relay: relay, socat: socat, group: group)
                runs.append(result)
                log("  round \(round) " + path.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)
                    + String(format: "%6.0f MiB/s", Double(bytes) / result.seconds / 1_048_576)
                    + (result.middleCPU.map { String(format: ", middle CPU %.2f s", $0) } ?? ""))
            }
        }
        if let ended = relay.process.exitStatus() { throw BenchError("the relay \(ended) during the run:\n\(relay.process.logTail)") }

        // Summary: medians per path.
        let gib = Double(bytes) / Double(1 << 30)
        func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            return sorted.isEmpty ? .nan : sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        var rate: [Path: Double] = [:], cpuPerGiB: [Path: Double] = [:]
        print("")
        print("throughput: \(String(format: "%.2f", gib)) GiB per run on loopback, median of \(options.rounds) round(s); \(ProcessInfo.processInfo.activeProcessorCount) cores shared by sender, receiver and the middle process")
        func cell(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        print("  path       MiB/s   Gbit/s   middle CPU s/GiB   bench CPU s/GiB   other CPU s/GiB")
        for path in paths {
            let mine = runs.filter { $0.path == path }
            let seconds = median(mine.map(\.seconds))
            rate[path] = Double(bytes) / seconds
            let middle = mine.compactMap(\.middleCPU).isEmpty ? nil : median(mine.compactMap(\.middleCPU)) / gib
            cpuPerGiB[path] = middle
            let bench = median(mine.map(\.benchCPU)) / gib
            // Machine-wide busy CPU not accounted to the bench or the middle process: softirq
            // and anything else running (another job on the machine shows up here).
            let other = median(mine.map { max(0, $0.machineCPU - $0.benchCPU - ($0.middleCPU ?? 0)) }) / gib
            print("  " + path.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)
                  + cell(String(format: "%.0f", rate[path]! / 1_048_576), 10) + cell(String(format: "%.2f", rate[path]! * 8 / 1e9), 9)
                  + cell(middle.map { String(format: "%.2f", $0) } ?? "-", 19) + cell(String(format: "%.2f", bench), 18)
                  + cell(String(format: "%.2f", other), 18))
        }
        if let relayRate = rate[.relay], let socatRate = rate[.socat], let relayCPU = cpuPerGiB[.relay], let socatCPU = cpuPerGiB[.socat] {
            let speed = relayRate / socatRate, cpu = relayCPU / socatCPU
            print(String(format: "  relay / socat throughput  %.2f×  (target ≥ 1.10: %@)", speed, speed >= 1.1 ? "met" : "NOT met"))
            print(String(format: "  relay / socat CPU per GiB %.2f×  (target ≤ 1.00: %@)", cpu, cpu <= 1.0 ? "met" : "NOT met"))
        }
        if let relayRate = rate[.relay], let directRate = rate[.direct] {
            print(String(format: "  relay / direct throughput %.2f×", relayRate / directRate))
        }
        if let socatRate = rate[.socat], let directRate = rate[.direct] {
            print(String(format: "  socat / direct throughput %.2f×", socatRate / directRate))
        }
        print("  relay: \(relay.process.threadCount()) threads, RSS \(relay.process.memory().map { megabytes($0.rss) } ?? "?") after the runs")
        return 0
    }

    /// One transfer of `bytes` along `path`.
    static func transfer(_ path: Path, bytes: Int, relay: RelayUnderTest, socat: String?, group: MultiThreadedEventLoopGroup) async throws -> Run {
        let received = group.next().makePromise(of: Int.self)
        var channels: [any Channel] = []
        var middle: ChildProcess?
        defer {
            for channel in channels { channel.close(promise: nil) }
            middle?.stop()
        }
        let sender: any Channel
        switch path {
        case .relay:
            let uuid = "bench-\(UInt64.random(in: 0...UInt64.max))"
            let receiver = try await Connect.tcp(group, port: relay.port, bulk: true) { [SinkHandler(expected: bytes, done: received)] }
            channels.append(receiver)
            try await Connect.send(receiver, requestRelayFrame(uuid: uuid))
            sender = try await Connect.tcp(group, port: relay.port, bulk: true) { [SourceHandler()] }
            channels.append(sender)
            try await Connect.send(sender, requestRelayFrame(uuid: uuid))
        case .socat, .direct:
            let listener = try await ServerBootstrap(group: group).bulkOptions()
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(SinkHandler(expected: bytes, done: received)) }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            channels.append(listener)
            guard let receiverPort = listener.localAddress?.port else { throw BenchError("listener has no port") }
            var target = receiverPort
            if path == .socat, let socat {
                let port = try Ports.findFree()
                let process = try ChildProcess([socat, "-b", "262144", "TCP-LISTEN:\(port),bind=127.0.0.1,reuseaddr", "TCP:127.0.0.1:\(receiverPort)"],
                                               workingDirectory: relay.directory, logPath: relay.directory + "/socat.log")
                middle = process
                try process.waitListening(port: port, within: 10)
                target = port
            }
            sender = try await Connect.tcp(group, port: target, bulk: true) { [SourceHandler()] }
            channels.append(sender)
        }
        // Let the pairing (or socat's second connect) settle: the clock measures copying only.
        try await Task.sleep(for: .milliseconds(200))
        let measured: ChildProcess? = path == .relay ? relay.process : middle
        let cpu0 = measured?.cpuSeconds(), own0 = ProcessCPU.ownSeconds(), machine0 = MachineCPU.busySeconds()
        let start = NIODeadline.now()
        let sent = Connect.startSending(sender, total: bytes)
        let limit = TimeAmount.seconds(Int64(max(60, bytes / (8 << 20))))
        _ = try await received.futureResult.timeout(limit, "\(path.rawValue): receiving \(bytes) bytes").get()
        let seconds = Double((NIODeadline.now() - start).nanoseconds) / 1e9
        let cpu1 = measured?.cpuSeconds(), own1 = ProcessCPU.ownSeconds(), machine1 = MachineCPU.busySeconds()
        try await sent.get()
        return Run(path: path, seconds: seconds, middleCPU: cpu0.flatMap { c0 in cpu1.map { $0 - c0 } },
                   benchCPU: own1 - own0, machineCPU: machine1 - machine0)
    }
}

enum Socat {
    static func find() -> String? {
        for directory in ["/usr/bin", "/usr/local/bin", "/bin"] where access(directory + "/socat", X_OK) == 0 {
            return directory + "/socat"
        }
        return nil
    }
}

func megabytes(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
