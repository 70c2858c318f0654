// Load generator and sampler for Benchmarks/hostile-soak.sh (a benchmark, not a test): a mixed
// hostile load against a running `homeport run` (rendezvous + relay) from loopback addresses,
// a legitimate client from addresses the load never uses, and every 10 s the VmRSS and open
// fds of the daemon and its children. Prints a table and a summary, writes a CSV, and exits
// 0 when every legitimate attempt succeeded, the RSS of the three processes grew at most
// --max-growth-mb after the warm-up and nothing died or restarted; 1 otherwise; 2 when the
// servers never answered or the daemon died; 3 at the hard time limit.

import Foundation
import NIOCore
import NIOPosix

let usage = """
    usage: HostileSoak --daemon-pid PID --rendezvous-port P --relay-port R --key KEY [options]
      --minutes M        length of the load (10; fractions allowed, at least 0.5)
      --interval S       seconds between samples (10)
      --warmup S         RSS growth is measured from the first sample at or after S seconds
                         (default: a fifth of the run, 10–120 s)
      --max-growth-mb N  RSS growth bound of the daemon and its children together (20)
      --csv PATH         where to write the samples (hostile-soak.csv)
      --legit-every S    seconds between legitimate cycles (5)
      --crowd N          concurrent connections from 127.0.0.77, half to P, half to R (300)
      --slowloris N      slowloris connections held at once, half to P, half to R (40)
      --parked N         unpaired relay connections held at once (40)
      --no-upgrade N     connections to the WebSocket ports that never upgrade (40)
      --ws N             WebSocket abusers at once, half per WebSocket port, each ≤ 1 conn/s (8)
      --malformed N      concurrent malformed-frame connection loops (4)
      --udp-rate N       hostile datagrams per second (250)
      --max-sockets N    cap on hostile sockets open at once (600)
    """

struct Options: Sendable {
    var target = Target()
    var daemonPID: Int32 = 0
    var minutes = 10.0
    var interval = 10
    var warmup: Int?
    var maxGrowthMB = 20.0
    var csv = "hostile-soak.csv"
    var legitEvery = 5
    var crowd = 300, slowloris = 40, parked = 40, noUpgrade = 40, webSocket = 8, malformed = 4
    var udpRate = 250
    var maxSockets = 600

    var seconds: Int { Int(minutes * 60) }

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var rest = arguments[...]
        func value(_ name: String) throws -> String {
            guard let value = rest.popFirst() else { throw SoakError("\(name) needs a value\n\(usage)") }
            return value
        }
        func int(_ name: String, _ range: ClosedRange<Int>) throws -> Int {
            let text = try value(name)
            guard let number = Int(text), range.contains(number) else { throw SoakError("\(name): expected \(range), not '\(text)'") }
            return number
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--daemon-pid": options.daemonPID = Int32(try int(argument, 1...Int(Int32.max)))
            case "--rendezvous-port": options.target.rendezvousPort = try int(argument, 2...65_533)
            case "--relay-port": options.target.relayPort = try int(argument, 1...65_533)
            case "--key": options.target.key = try value(argument)
            case "--minutes":
                let text = try value(argument)
                guard let minutes = Double(text), minutes >= 0.5, minutes <= 24 * 60 else { throw SoakError("--minutes: 0.5 … 1440, not '\(text)'") }
                options.minutes = minutes
            case "--interval": options.interval = try int(argument, 1...600)
            case "--warmup": options.warmup = try int(argument, 0...86_400)
            case "--max-growth-mb": options.maxGrowthMB = Double(try int(argument, 0...100_000))
            case "--csv": options.csv = try value(argument)
            case "--legit-every": options.legitEvery = try int(argument, 1...300)
            case "--crowd": options.crowd = try int(argument, 0...2_000)
            case "--slowloris": options.slowloris = try int(argument, 0...2_000)
            case "--parked": options.parked = try int(argument, 0...2_000)
            case "--no-upgrade": options.noUpgrade = try int(argument, 0...2_000)
            case "--ws": options.webSocket = try int(argument, 0...64)
            case "--malformed": options.malformed = try int(argument, 0...64)
            case "--udp-rate": options.udpRate = try int(argument, 0...20_000)
            case "--max-sockets": options.maxSockets = try int(argument, 1...10_000)
            case "-h", "--help":
                print(usage)
                exit(0)
            default: throw SoakError("unknown argument '\(argument)'\n\(usage)")
            }
        }
        guard options.daemonPID > 0, options.target.rendezvousPort > 0, options.target.relayPort > 0 else {
            throw SoakError("--daemon-pid, --rendezvous-port and --relay-port are required\n\(usage)")
        }
        return options
    }
}

func say(_ line: String) {
    print(line)
    fflush(nil)
}

/// Every legitimate and hostile loop, until the deadline.
func runLoad(_ options: Options, legit: LegitClient, context: HostileContext) async {
    await withTaskGroup(of: Void.self) { group in
        group.addTask { await legit.run(deadline: context.deadline, interval: .seconds(options.legitEvery)) }
        group.addTask { await HostileDatagrams.run(context, perSecond: options.udpRate) }
        group.addTask { await HostileStreams.malformed(context, workers: options.malformed) }
        group.addTask { await HostileStreams.slowloris(context, workers: options.slowloris) }
        group.addTask { await HostileStreams.parkedRelay(context, workers: options.parked) }
        group.addTask { await HostileStreams.neverUpgrade(context, workers: options.noUpgrade) }
        group.addTask { await HostileStreams.crowd(context, workers: options.crowd) }
        group.addTask { await HostileWebSocket.run(context, workers: options.webSocket) }
    }
}

func sampleRow(_ options: Options, seconds: Int, tally: Tally) -> Row? {
    guard let daemon = ProcFS.sample(options.daemonPID) else { return nil }
    var processes = ["daemon": daemon]
    for (name, pid) in ProcFS.children(of: options.daemonPID) where Report.names.contains(name) {
        if let sample = ProcFS.sample(pid) { processes[name] = sample }
    }
    return Row(seconds: seconds, processes: processes, counters: tally.snapshot)
}

func runSoak() async throws -> Int32 {
    let options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
    let limit = options.seconds + 180
    Task.detached {
        try? await Task.sleep(for: .seconds(limit))
        log("HostileSoak: hard time limit (\(limit) s) reached")
        exit(3)
    }
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    let tally = Tally()
    let legit = try await LegitClient(group: group, target: options.target, tally: tally)
    guard await legit.waitReady(timeout: .seconds(60)) else {
        log("HostileSoak: the servers did not answer a registration and relay a pair within 60 s")
        return 2
    }
    let children = ProcFS.children(of: options.daemonPID)
    say("daemon pid \(options.daemonPID), children: \(children.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
    say("load: crowd \(options.crowd) from 127.0.0.77, slowloris \(options.slowloris), parked \(options.parked), "
        + "never-upgraded \(options.noUpgrade), WebSocket abusers \(options.webSocket), malformed loops \(options.malformed), "
        + "UDP \(options.udpRate)/s; ≤ \(options.maxSockets) hostile sockets; legit cycle every \(options.legitEvery) s")

    let warmup = options.warmup ?? min(120, max(10, options.seconds / 5))
    var report = Report(warmup: warmup, maxGrowthMB: options.maxGrowthMB)
    let started = ContinuousClock.now
    if let row = sampleRow(options, seconds: 0, tally: tally) {
        say(Report.header)
        say(report.add(row))
    }
    let deadline = Deadline(end: started + .seconds(options.seconds))
    let context = HostileContext(group: group, target: options.target, tally: tally,
                                 budget: SocketBudget(limit: options.maxSockets), deadline: deadline)
    async let load: Void = runLoad(options, legit: legit, context: context)

    var daemonGone = false
    var tick = 1
    while true {
        let due = started + .seconds(tick * options.interval)
        let last = due >= deadline.end
        let wake = last ? deadline.end : due
        if wake > ContinuousClock.now { try? await Task.sleep(until: wake, clock: .continuous) }
        let seconds = Int((ContinuousClock.now - started).components.seconds)
        guard let row = sampleRow(options, seconds: seconds, tally: tally) else {
            log("HostileSoak: the daemon (pid \(options.daemonPID)) is gone")
            daemonGone = true
            break
        }
        say(report.add(row))
        if last { break }
        tick += 1
    }
    await load
    try? await group.shutdownGracefully()
    if daemonGone { return 2 }

    let final = tally.snapshot
    do {
        try report.csv().write(toFile: options.csv, atomically: true, encoding: .utf8)
    } catch {
        log("HostileSoak: cannot write \(options.csv): \(error)")
    }
    let (lines, passed) = report.summary(final: final)
    say("")
    for line in lines { say(line) }
    return passed ? 0 : 1
}

do {
    exit(try await runSoak())
} catch {
    log("HostileSoak: \(error)")
    exit(2)
}
