// Load generator for Benchmarks/rendezvous-bench.sh (a benchmark, not a test): starts the real
// `homeport rendezvous` as a child process and reports
//   * its resident memory when idle and after N peers registered (bytes per peer), and
//   * UDP RegisterPeer registrations answered per second,
// with the CPU both processes used, since client and server share the machine's cores.
// Only loopback addresses are contacted. Exit 0 whatever the numbers; non-zero when the server
// cannot be started or answers nothing.
//
// Usage: RendezvousBench --homeport <path> [options]   (see `usage` below)

import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

let usage = """
    usage: RendezvousBench --homeport PATH [options]
      --peers N             peers registered in phase A (100000)
      --per-ip N            RegisterPk ids per source IP, under the server's 32/min limit (30)
      --populate-sockets N  source IPs registering at the same time (256)
      --populate-window N   RegisterPk outstanding per source IP (1)
      --sockets N           RegisterPeer flood sockets (16)
      --window N            RegisterPeer outstanding per flood socket (8)
      --duration S          RegisterPeer flood length in seconds (5)
      --threads N           client event-loop threads (1)
      --rmem BYTES          pass -M BYTES (UDP receive buffer) to the server (OS default)
      --time-limit S        abort after S seconds in all (120)
    """

struct Options {
    var homeport = ""
    var peers = 100_000
    var perIP = 30
    var populateSockets = 256
    var populateWindow = 1
    var sockets = 16
    var window = 8
    var duration = 5.0
    var threads = 1
    var rmem: Int?
    var timeLimit = 120

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
            case "--homeport": options.homeport = try value(argument)
            case "--peers": options.peers = try int(argument, 1...2_000_000)
            case "--per-ip": options.perIP = try int(argument, 1...32)
            case "--populate-sockets": options.populateSockets = try int(argument, 1...4096)
            case "--populate-window": options.populateWindow = try int(argument, 1...32)
            case "--sockets": options.sockets = try int(argument, 1...250)
            case "--window": options.window = try int(argument, 1...4096)
            case "--duration": options.duration = Double(try int(argument, 1...60))
            case "--threads": options.threads = try int(argument, 1...64)
            case "--rmem": options.rmem = try int(argument, 0...1 << 30)
            case "--time-limit": options.timeLimit = try int(argument, 10...3600)
            case "-h", "--help":
                print(usage)
                exit(0)
            default: throw BenchError("unknown argument '\(argument)'\n\(usage)")
            }
        }
        guard !options.homeport.isEmpty else { throw BenchError("--homeport is required\n\(usage)") }
        // 250 source IPs per 127.1.x.0/24, x up to 255.
        guard (options.peers + options.perIP - 1) / options.perIP <= 250 * 256 else { throw BenchError("too many peers for the source IPs") }
        return options
    }
}

// MARK: Output

func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_048_576) }

func grouped(_ value: Int) -> String {
    let digits = String(value)
    var out = ""
    for (index, character) in digits.reversed().enumerated() {
        if index > 0, index % 3 == 0 { out.append(" ") }
        out.append(character)
    }
    return String(out.reversed())
}

func line(_ label: String, _ text: String) {
    print(label.padding(toLength: 28, withPad: " ", startingAt: 0) + text)
}

func log(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Wall time and CPU of both processes over one phase.
struct Meter {
    let start = Date()
    let serverCPU: Double
    let clientCPU = ProcessCPU.ownSeconds()
    let drops = UDPDrops.receiveBufferErrors()
    let machine = MachineCPU.seconds()

    init(_ server: ServerProcess) { serverCPU = server.cpuSeconds() }

    func finish(_ server: ServerProcess) -> (seconds: Double, text: String) {
        let seconds = Date().timeIntervalSince(start)
        let server = (server.cpuSeconds() - serverCPU) / seconds
        let client = (ProcessCPU.ownSeconds() - clientCPU) / seconds
        let dropped = UDPDrops.receiveBufferErrors() - drops
        let now = MachineCPU.seconds()
        let busy = (now.busy - machine.busy) / seconds, softirq = (now.softirq - machine.softirq) / seconds
        return (seconds, String(format: "CPU (cores): server %.2f, bench %.2f, softirq %.2f, anything else %.2f of %d; UDP buffer drops: %d",
                                server, client, softirq, max(0, busy - server - client - softirq), ProcessInfo.processInfo.activeProcessorCount, dropped))
    }
}

// MARK: Run

func run(_ options: Options) async throws -> Int32 {
    var template = Array("/tmp/rendezvous-bench-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw BenchError("mkdtemp: \(String(cString: strerror(errno)))") }
    let directory = String(cString: made)
    defer { try? FileManager.default.removeItem(atPath: directory) }

    let port = try Ports.findFree()
    let server = try ServerProcess(binary: options.homeport, port: port, stateDirectory: directory, receiveBuffer: options.rmem)
    Watchdog.arm(seconds: options.timeLimit, pid: server.pid, directory: directory)
    defer { server.stop() }

    let group = MultiThreadedEventLoopGroup(numberOfThreads: options.threads)
    do {
        let code = try await measure(options, server: server, group: group)
        try? await group.shutdownGracefully()
        return code
    } catch {
        try? await group.shutdownGracefully()
        throw error
    }
}

func measure(_ options: Options, server: ServerProcess, group: MultiThreadedEventLoopGroup) async throws -> Int32 {
    let port = server.port
    let target = try SocketAddress(ipAddress: "127.0.0.1", port: port)

    // Wait until the server answers a RegisterPeer for an unknown id (request_pk = true), then
    // check that it accepts a RegisterPk (from 127.0.0.1, outside the populate sources; this
    // one peer is part of the idle baseline).
    let startedAt = Date()
    try await probe(server, group: group, target: target, message: Wire.registerPeer(id: "000000000"),
                    expecting: .registerPeer(requestPk: true), what: "a UDP RegisterPeer", within: 20)
    try await probe(server, group: group, target: target, message: Wire.registerPk(9_000_000_000 - 1_000_000_000),
                    expecting: .registerPk(result: 0), what: "a UDP RegisterPk with OK", within: 5)
    log(String(format: "server pid %d on port %d ready after %.2f s; idling 1 s", server.pid, port, Date().timeIntervalSince(startedAt)))

    // Encode everything before measuring anything.
    let registerPk = (0..<options.peers).map(Wire.registerPk)
    let registerPeer = (0..<options.peers).map(Wire.registerPeer)

    try await Task.sleep(for: .seconds(1))
    guard let idle = server.memory() else { throw BenchError("cannot read /proc/\(server.pid)/status") }

    // Phase A: populate.
    log("phase A: \(options.peers) × RegisterPk from \((options.peers + options.perIP - 1) / options.perIP) source IPs, \(options.populateSockets) at a time")
    let populateMeter = Meter(server)
    let populated = try await Load.populate(group: group, server: target, messages: registerPk, perIP: options.perIP,
                                            concurrency: options.populateSockets, window: options.populateWindow,
                                            timeout: .seconds(2))
    let populateResult = populateMeter.finish(server)
    guard populated.ok > 0 else { throw BenchError("the server answered no RegisterPk with OK: \(populated)\n\(server.logTail)") }

    try await Task.sleep(for: .seconds(2))
    guard let loaded = server.memory() else { throw BenchError("cannot read /proc/\(server.pid)/status") }

    // Phase B: RegisterPeer flood.
    log("phase B: RegisterPeer from \(options.sockets) sockets × \(options.window) outstanding for \(Int(options.duration)) s")
    let floodMeter = Meter(server)
    let flood = try await Load.flood(group: group, server: target, messages: registerPeer, sockets: options.sockets,
                                     window: options.window, duration: .milliseconds(Int64(options.duration * 1000)))
    let floodResult = floodMeter.finish(server)
    let after = server.memory()
    let threads = server.threadCount()

    // Summary.
    let perPeer = Double(loaded.rss - idle.rss) / Double(options.peers)
    let perPeerAnonymous = Double(loaded.anonymous - idle.anonymous) / Double(options.peers)
    let populateRate = Double(populated.ok) / populateResult.seconds
    let floodRate = Double(flood.answeredInTime) / options.duration
    let unanswered = flood.sent == 0 ? 0 : 100 * Double(flood.sent - flood.answered) / Double(flood.sent)
    print("")
    line("idle server RSS:", megabytes(idle.rss) + "  (anonymous \(megabytes(idle.anonymous)), \(threads) threads)")
    line("RSS after \(options.peers) peers:", megabytes(loaded.rss) + String(format: "   → %.0f bytes per peer (target ≤ 300); anonymous only: %.0f", perPeer, perPeerAnonymous))
    line("populate (RegisterPk):", "\(grouped(populated.ok)) OK in " + String(format: "%.1f s = %@/s", populateResult.seconds, grouped(Int(populateRate))))
    var populateNotes = "sent \(grouped(populated.sent)), retransmitted \(populated.retransmitted)"
    if !populated.refused.isEmpty { populateNotes += ", refused " + populated.refused.sorted { $0.key < $1.key }.map { "\($0.value)× result \($0.key)" }.joined(separator: ", ") }
    if populated.gaveUp > 0 { populateNotes += ", \(populated.gaveUp) ids unanswered" }
    if populated.duplicates + populated.other > 0 { populateNotes += ", \(populated.duplicates) duplicate and \(populated.other) other answers" }
    line("", populateNotes)
    line("", populateResult.text)
    line("RegisterPeer throughput:", "\(grouped(flood.answeredInTime)) answered in " + String(format: "%.1f s = %@/s (target ≥ 100 000), %.2f%% unanswered", options.duration, grouped(Int(floodRate)), unanswered))
    var floodNotes = "sent \(grouped(flood.sent)), answered \(grouped(flood.answered)) (incl. after the stop), \(flood.stalls) window refills after silence"
    if flood.requestPk > 0 { floodNotes += ", \(flood.requestPk) × request_pk (id not registered!)" }
    if flood.other > 0 { floodNotes += ", \(flood.other) other answers" }
    line("", floodNotes)
    line("", floodResult.text)
    if let after { line("RSS after the flood:", megabytes(after.rss)) }

    guard flood.answered > 0 else {
        log("the server answered no RegisterPeer\n\(server.logTail)")
        return 1
    }
    if let ended = server.exitStatus() {
        log("the server \(ended) during the run\n\(server.logTail)")
        return 1
    }
    return 0
}

/// Sends `message` every 100 ms until the expected answer arrives; throws after `within` seconds
/// or if the server exits.
func probe(_ server: ServerProcess, group: any EventLoopGroup, target: SocketAddress, message: ByteBuffer,
           expecting expected: Wire.Answer, what: String, within seconds: Double) async throws {
    let handler = ProbeHandler(expecting: expected)
    let channel = try await Load.bind(group: group, host: "127.0.0.1", handler: handler)
    defer { channel.close(promise: nil) }
    let envelope = AddressedEnvelope(remoteAddress: target, data: message)
    let start = Date()
    while !handler.hasAnswered {
        if let ended = server.exitStatus() {
            throw BenchError("the server \(ended) before answering \(what):\n\(server.logTail)")
        }
        guard Date().timeIntervalSince(start) < seconds else {
            throw BenchError("the server did not answer \(what) within \(Int(seconds)) s (see its udp_malformed counter: `homeport admin --state-dir <dir> status`):\n\(server.logTail)")
        }
        try? await channel.writeAndFlush(envelope)
        try await Task.sleep(for: .milliseconds(100))
    }
}

/// A hard time limit and Ctrl-C: kill the server, remove its directory, exit.
enum Watchdog {
    static func arm(seconds: Int, pid: pid_t, directory: String) {
        @Sendable func abort(_ reason: String, code: Int32) -> Never {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            try? FileManager.default.removeItem(atPath: directory)
            log("RendezvousBench: \(reason); server killed")
            exit(code)
        }
        Thread.detachNewThread {
            sleep(UInt32(seconds))
            abort("time limit of \(seconds) s reached", code: 3)
        }
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { abort("interrupted by signal \(signalNumber)", code: 130) }
            source.resume()
            sources.append(source)
        }
    }

    /// Kept alive for the life of the process; only appended to by `arm`, called once before
    /// any load starts.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
}

do {
    let options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
    exit(try await run(options))
} catch {
    log("RendezvousBench: \(error)")
    exit(1)
}
