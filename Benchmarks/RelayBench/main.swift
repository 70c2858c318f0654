// Sender/receiver and load generator for Benchmarks/relay-bench.sh and
// Benchmarks/relay-soak.sh (a benchmark, not a test). Starts the real `homeport relay` (and
// `socat`) as child processes with posix_spawnp and talks to them over loopback only.
//
//   throughput  N bytes through homeport relay, socat -b 262144 and directly, same sender and
//               receiver: MiB/s, CPU seconds per GiB of the process in the middle, ratios
//   sessions    N concurrent paired sessions with small periodic messages: relay RSS per session
//   soak        mixed valid / malformed / wrong-key / slowloris traffic for a duration: the
//               relay must survive, its RSS is sampled every 10 s
//   all         throughput, then sessions (each against a fresh relay)
// Exit 0 whatever the numbers; non-zero when the relay dies, cannot be started, stops
// relaying, or the hard time limit is reached.

import Foundation
import NIOCore
import NIOPosix

let usage = """
    usage: RelayBench MODE --homeport PATH [options]      MODE: throughput | sessions | soak | all
      --bytes N          bytes per throughput run; suffixes K, M, G (1G)
      --rounds N         throughput rounds, each relay + socat + direct; the median is reported (3)
      --threads N        bench event-loop threads (sender and receiver) (2)
      --sessions N       concurrent paired sessions (1000)
      --interval S       seconds between a session side's 64-byte messages (5)
      --hold S           seconds the sessions run before RSS is read (15)
      --duration S       soak length in seconds (600)
      --pair-workers N   soak: concurrent valid pair loops (4)
      --malformed-workers N  soak: concurrent malformed/wrong-key loops (2)
      --slowloris N      soak: slowloris connections held at once (100)
      --time-limit S     abort (killing every child) after S seconds (default: 900, soak: duration + 300)
    """

struct Options: Sendable {
    var mode = ""
    var homeport = ""
    var bytes = 1 << 30
    var rounds = 3
    var threads = 2
    var sessions = 1000
    var interval = 5
    var hold = 15
    var duration = 600
    var pairWorkers = 4
    var malformedWorkers = 2
    var slowloris = 100
    var timeLimit: Int?

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var rest = arguments[...]
        func value(_ name: String) throws -> String {
            guard let value = rest.popFirst() else { throw BenchError("\(name) needs a value\n\(usage)") }
            return value
        }
        func int(_ name: String, _ range: ClosedRange<Int>) throws -> Int {
            let text = try value(name)
            guard let number = Int(text), range.contains(number) else { throw BenchError("\(name): expected \(range), not '\(text)'") }
            return number
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "throughput", "sessions", "soak", "all": options.mode = argument
            case "--homeport": options.homeport = try value(argument)
            case "--bytes":
                let text = try value(argument).uppercased()
                let scale = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30][String(text.last ?? " ")] ?? 1
                guard let number = Int(scale == 1 ? text : String(text.dropLast())), number > 0, number * scale <= 64 << 30 else {
                    throw BenchError("--bytes: expected a size such as 1G, not '\(text)'")
                }
                options.bytes = number * scale
            case "--rounds": options.rounds = try int(argument, 1...20)
            case "--threads": options.threads = try int(argument, 1...8)
            case "--sessions": options.sessions = try int(argument, 1...20_000)
            case "--interval": options.interval = try int(argument, 1...25)
            case "--hold": options.hold = try int(argument, 1...600)
            case "--duration": options.duration = try int(argument, 10...86_400)
            case "--pair-workers": options.pairWorkers = try int(argument, 0...64)
            case "--malformed-workers": options.malformedWorkers = try int(argument, 0...64)
            case "--slowloris": options.slowloris = try int(argument, 0...5_000)
            case "--time-limit": options.timeLimit = try int(argument, 10...90_000)
            case "-h", "--help":
                print(usage)
                exit(0)
            default: throw BenchError("unknown argument '\(argument)'\n\(usage)")
            }
        }
        guard !options.mode.isEmpty, !options.homeport.isEmpty else { throw BenchError("a mode and --homeport are required\n\(usage)") }
        return options
    }
}

func run(_ options: Options) async throws -> Int32 {
    Watchdog.arm(seconds: options.timeLimit ?? (options.mode == "soak" ? options.duration + 300 : 900))
    let group = MultiThreadedEventLoopGroup(numberOfThreads: options.threads)
    do {
        let code = try await dispatch(options, group: group)
        try? await group.shutdownGracefully()
        return code
    } catch {
        try? await group.shutdownGracefully()
        throw error
    }
}

func dispatch(_ options: Options, group: MultiThreadedEventLoopGroup) async throws -> Int32 {
    switch options.mode {
    case "throughput":
        return try await Throughput.run(options: options, group: group)
    case "sessions":
        return try await Sessions.run(options: options, group: group)
    case "soak":
        return try await Soak.run(options: options, group: group)
    default:
        let first = try await Throughput.run(options: options, group: group)
        let second = try await Sessions.run(options: options, group: group)
        return max(first, second)
    }
}

do {
    let options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
    exit(try await run(options))
} catch {
    log("RelayBench: \(error)")
    Watchdog.abort("stopped", code: 1)
}
