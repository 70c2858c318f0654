import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// `homeport relay -p PORT --state-dir DIR [-k KEY]` in its own temporary directory, with the
/// bandwidth caps from the bench's environment (default 100 000 Mb/s, i.e. none in practice).
struct RelayUnderTest {
    let process: ChildProcess
    let port: Int
    let directory: String
    let homeport: String

    static func start(homeport given: String, key: String? = nil) throws -> RelayUnderTest {
        guard let resolved = realpath(given, nil) else { throw BenchError("\(given): \(errnoText())") }
        let homeport = String(cString: resolved)
        free(resolved)
        var template = Array("/tmp/relay-bench-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw BenchError("mkdtemp: \(errnoText())") }
        let directory = String(cString: made)
        let port = try Ports.findFree()
        let environment = ProcessInfo.processInfo.environment
        let caps = ["SINGLE_BANDWIDTH", "TOTAL_BANDWIDTH"].map { "\($0)=\(environment[$0] ?? "100000")" }
        var arguments = [homeport, "relay", "-p", String(port), "--state-dir", directory]
        if let key { arguments += ["-k", key] }
        let process = try ChildProcess(arguments, environment: caps, workingDirectory: directory, logPath: directory + "/relay.log")
        try process.waitListening(port: port, within: 20)
        log("relay pid \(process.pid) listening on \(port) (\(caps.joined(separator: " ")))")
        return RelayUnderTest(process: process, port: port, directory: directory, homeport: homeport)
    }

    /// Stops the relay and removes its directory; returns how it ended.
    @discardableResult
    func stop() -> String {
        let ended = process.stop()
        try? FileManager.default.removeItem(atPath: directory)
        return ended
    }

    /// `homeport admin --relay --state-dir DIR status` (its counters, JSON), or nil.
    func adminStatus() -> String? {
        let output = directory + "/admin.out"
        guard let admin = try? ChildProcess([homeport, "admin", "--relay", "--state-dir", directory, "status"],
                                            workingDirectory: directory, logPath: output) else { return nil }
        admin.wait(within: 10)
        return try? String(contentsOfFile: output, encoding: .utf8)
    }

    /// One pair through the relay with `bytes` each way, checked byte for byte.
    func probe(group: any EventLoopGroup, bytes: Int = 64 * 1024, key: String = "", within: TimeAmount = .seconds(10)) async throws {
        try await PairRun.run(group: group, port: port, uuid: "probe-\(UInt64.random(in: 0...UInt64.max))", key: key,
                              bytesAB: bytes, bytesBA: bytes, within: within)
    }
}

/// A valid pair: A and B present the same uuid, then both stream a checked pattern at once.
enum PairRun {
    static func run(group: any EventLoopGroup, port: Int, uuid: String, key: String, bytesAB: Int, bytesBA: Int,
                    abortAfterPairing: Bool = false, within: TimeAmount) async throws {
        let seedA = UInt8.random(in: 0...255), seedB = UInt8.random(in: 0...255)
        let loop = group.next()
        let gotAtB = loop.makePromise(of: Int.self), gotAtA = loop.makePromise(of: Int.self)
        let a = try await Connect.tcp(group, port: port, bulk: true) {
            [SinkHandler(expected: bytesBA, done: gotAtA, pattern: Pattern(seed: seedB)), SourceHandler()]
        }
        defer { a.close(promise: nil) }
        try await Connect.send(a, requestRelayFrame(uuid: uuid, key: key))
        let b = try await Connect.tcp(group, port: port, bulk: true) {
            [SinkHandler(expected: bytesAB, done: gotAtB, pattern: Pattern(seed: seedA)), SourceHandler()]
        }
        defer { b.close(promise: nil) }
        try await Connect.send(b, requestRelayFrame(uuid: uuid, key: key))
        if abortAfterPairing {
            // Some bytes, then a RST from one side: the relay must drop the session cleanly.
            _ = Connect.startSending(a, total: 16 * 1024, pattern: Pattern(seed: seedA))
            try? await Task.sleep(for: .milliseconds(Int.random(in: 0...50)))
            await Connect.setAbortiveClose(Bool.random() ? a : b)
            return
        }
        let sentAB = Connect.startSending(a, total: bytesAB, pattern: Pattern(seed: seedA))
        let sentBA = Connect.startSending(b, total: bytesBA, pattern: Pattern(seed: seedB))
        let all = EventLoopFuture.andAllSucceed([sentAB, sentBA, gotAtB.futureResult.map { _ in }, gotAtA.futureResult.map { _ in }], on: loop)
        try await all.timeout(within, "pair \(uuid)").get()
    }
}

