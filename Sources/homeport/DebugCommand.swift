import ArgumentParser
import Daemon
import Foundation
import History
import InternetAddress
import Paths

/// Tools for tests and benchmarks; hidden from help.
struct DebugCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug",
        abstract: "Tools for homeport's tests and benchmarks.",
        shouldDisplay: false,
        subcommands: [HistoryStressCommand.self, GenerateHistoryCommand.self, NATMappingDebugCommand.self]
    )
}

/// Writes service events as fast as the history allows and prints each id once its commit
/// has returned: a crash test kills this at a random moment and checks that every printed id
/// survived.
struct HistoryStressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history-stress")

    @OptionGroup var locations: LocationOptions

    @Option var count = 1_000_000

    func run() async throws {
        let stateDirectory = locations.stateDirectoryForReading().stateDirectory
        for warning in try PrivateFiles.prepareDirectory(stateDirectory) { Terminal.warning(warning) }
        let store = try HistoryStore(path: StateLayout(directory: stateDirectory).historyDatabase)
        let runID = try await store.beginDaemonRun(at: Date(), pid: getpid(), version: HomeportCommand.version, heartbeatInterval: 60)
        for index in 0..<count {
            let id = try await store.record(ServiceEvent(time: Date(), service: "stress", kind: index % 2 == 0 ? .start : .exit, pid: getpid(), exitCode: index % 2 == 0 ? nil : 1), runID: runID)
            print(id)
            if index % 100 == 0 { try await store.heartbeat(runID: runID, at: Date()) }
        }
    }
}

/// Fills a history with a realistic, seeded year: daemon runs (weekly restarts, some power
/// cuts), services that crash now and then, IP changes.
struct GenerateHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate-history")

    @OptionGroup var locations: LocationOptions

    @Option var days = 365
    @Option var services = 3
    @Option var seed: UInt64 = 1

    func run() async throws {
        let stateDirectory = locations.stateDirectoryForReading().stateDirectory
        for warning in try PrivateFiles.prepareDirectory(stateDirectory) { Terminal.warning(warning) }
        let store = try HistoryStore(path: StateLayout(directory: stateDirectory).historyDatabase)
        var random = SplitMix64(seed: seed)
        let now = Date()
        var time = now.addingTimeInterval(-Double(days) * 86400)
        let names = (0..<services).map { "service-\($0)" }
        var runs = 0, events = 0
        while time < now.addingTimeInterval(-3600) {
            // One daemon run of 1 to 10 days.
            let length = min(Double(random.next(in: 1...10)) * 86400, now.timeIntervalSince(time) - 60)
            let runStart = time
            let runEnd = runStart.addingTimeInterval(length)
            let clean = random.next(in: 0...3) != 0
            let runID = try await store.beginDaemonRun(at: runStart, pid: 1000, version: "generated", heartbeatInterval: 60)
            runs += 1
            for (index, name) in names.enumerated() {
                var t = runStart.addingTimeInterval(Double(index))
                var pid: Int32 = 2000
                while t < runEnd {
                    try await store.record(ServiceEvent(time: t, service: name, kind: .start, pid: pid), runID: runID)
                    events += 1
                    // Up for 1 to 48 hours, then a crash and a restart a few seconds later.
                    t = t.addingTimeInterval(Double(random.next(in: 3600...172_800)))
                    guard t < runEnd else { break }
                    let killed = random.next(in: 0...4) == 0
                    try await store.record(ServiceEvent(time: t, service: name, kind: .exit, pid: pid, exitCode: killed ? nil : 1, signal: killed ? 9 : nil), runID: runID)
                    try await store.record(ServiceEvent(time: t, service: name, kind: .restart, detail: "restarting in 500ms (attempt 2)"), runID: runID)
                    events += 2
                    t = t.addingTimeInterval(Double(random.next(in: 1...120)))
                    pid += 1
                }
            }
            if clean {
                try await store.endDaemonRun(runID: runID, at: runEnd)
            } else {
                try await store.heartbeat(runID: runID, at: runEnd)
            }
            if random.next(in: 0...2) == 0 {
                let address = IPAddress(203, 0, 113, UInt8(random.next(in: 1...254)))
                try await store.recordIPIfChanged(IPObservation(time: runEnd, address: address, source: "generated"))
            }
            // Down for 1 minute to 6 hours between runs (reboots, power cuts).
            time = runEnd.addingTimeInterval(Double(random.next(in: 60...21_600)))
        }
        print("generated \(runs) daemon runs and \(events) service events over \(days) days in \(stateDirectory)")
    }
}

/// Small deterministic generator so generated histories are reproducible.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
}
