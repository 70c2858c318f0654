import Foundation
import Subprocess

#if canImport(Glibc)
import Glibc
#endif

/// A real BIND 9 `named` for one test: its own directory (config, zone, journal, pid, session
/// key, managed keys), listening on 127.0.0.1 at a random port, serving `home.test.` with a TSIG
/// key allowed to update A, AAAA and TXT records there. `stop()` ends it and removes the directory.
final class NamedServer: @unchecked Sendable {
    static let zone = "home.test."
    static let keyName = "homeport-key."
    /// Keys with the same secret for the other algorithms homeport signs with.
    static let otherKeys = ["homeport-sha512.": "hmac-sha512", "homeport-sha1.": "hmac-sha1"]
    static let program = "/usr/sbin/named"

    /// Tests need root (named binds and writes as root here) and the bind9 package; with
    /// HOMEPORT_LAB_REQUIRED=1 they run without them and fail in start().
    static var available: Bool { ToolRequirement.named.shouldRun() }

    let directory: TemporaryDirectory
    let port: Int
    let secret: String
    let pid: Int32
    private let task: Task<TerminationStatus, any Error>

    private init(directory: TemporaryDirectory, port: Int, secret: String, pid: Int32, task: Task<TerminationStatus, any Error>) {
        self.directory = directory
        self.port = port
        self.secret = secret
        self.pid = pid
        self.task = task
    }

    /// named's last start-up line is "<time> running" (earlier ones say "running on …", "running as: …").
    var isRunning: Bool { logText.split(separator: "\n").contains { $0.hasSuffix(" running") } }

    var logText: String { (try? String(contentsOfFile: directory.file("named.log"), encoding: .utf8)) ?? "" }

    /// Runs `body` with a fresh named, which is stopped (and its directory removed) afterwards,
    /// also when `body` throws.
    static func with<T>(_ body: (NamedServer) async throws -> T) async throws -> T {
        let named = try await start()
        do {
            let result = try await body(named)
            await named.stop()
            return result
        } catch {
            await named.stop()
            throw error
        }
    }

    /// Starts named and waits until it says "running"; tries other ports if one is taken.
    static func start() async throws -> NamedServer {
        try ToolRequirement.named.check()
        var lastLog = ""
        for _ in 0..<4 {
            let directory = TemporaryDirectory()
            let port = TestPorts.random()
            let secret = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            writeFiles(in: directory, listenAddress: "127.0.0.1", port: port, secret: secret)
            let (pids, continuation) = AsyncStream<Int32>.makeStream()
            let script = "exec \"$0\" \"$@\" >>'\(directory.file("named.log"))' 2>&1"
            let task = Task {
                try await Subprocess.run(
                    .path("/bin/sh"),
                    arguments: ["-c", script, program, "-f", "-g", "-c", directory.file("named.conf")],
                    input: .none, output: .discarded, error: .discarded
                ) { execution in
                    continuation.yield(execution.processIdentifier.value)
                    continuation.finish()
                }.terminationStatus
            }
            var iterator = pids.makeAsyncIterator()
            guard let pid = await iterator.next() else {
                _ = try? await task.value
                directory.remove()
                continue
            }
            let server = NamedServer(directory: directory, port: port, secret: secret, pid: pid, task: task)
            _ = await eventually(timeout: .seconds(20)) { server.isRunning || !processExists(pid) }
            // named keeps running when a listen-on port is taken; then this port is not ours.
            let portTaken = server.logText.contains("address in use") || server.logText.contains("could not listen")
            if server.isRunning, processExists(pid), !portTaken { return server }
            lastLog = server.logText
            await server.stop()
        }
        throw TestFailure("named did not start:\n\(lastLog)")
    }

    /// Writes named.conf and the `home.test` zone into `directory`, for a named listening on
    /// `listenAddress`:`port` (also used by the namespace lab, where named serves the internet).
    static func writeFiles(in directory: TemporaryDirectory, listenAddress: String, port: Int, secret: String) {
        let path = directory.path
        _ = directory.write("named.conf", """
        options {
            directory "\(path)";
            pid-file "\(path)/named.pid";
            session-keyfile "\(path)/session.key";
            managed-keys-directory "\(path)";
            listen-on port \(port) { \(listenAddress); };
            listen-on-v6 { none; };
            recursion no;
            dnssec-validation no;
            notify no;
            // Without this, a second named on the same port shares it silently (SO_REUSEPORT).
            reuseport no;
        };
        controls { };
        key "\(keyName)" { algorithm hmac-sha256; secret "\(secret)"; };
        \(otherKeys.map { "key \"\($0.key)\" { algorithm \($0.value); secret \"\(secret)\"; };" }.joined(separator: "\n"))
        zone "home.test" {
            type primary;
            file "\(path)/home.test.zone";
            update-policy {
                grant \(keyName) zonesub A AAAA TXT;
                \(otherKeys.keys.map { "grant \($0) zonesub A AAAA;" }.joined(separator: "\n        "))
            };
        };
        """)
        // `big` has more TXT data than fits a 512-byte UDP answer, to force TC and TCP.
        let bigText = (0..<6).map { index in "big IN TXT \"\(String(repeating: Character(String(index)), count: 200))\"" }
            .joined(separator: "\n")
        _ = directory.write("home.test.zone", """
        $TTL 300
        @    IN SOA ns.home.test. admin.home.test. 1 3600 600 86400 60
        @    IN NS  ns.home.test.
        ns   IN A   127.0.0.1
        old  IN A   192.0.2.1
        old  IN AAAA 2001:db8::1
        alias IN CNAME old.home.test.
        \(bigText)

        """)
    }

    /// Ends named (SIGTERM, then SIGKILL if it lingers) and removes its directory.
    func stop() async {
        kill(pid, SIGTERM)
        let ended = await eventually(timeout: .seconds(10)) { !processExists(pid) }
        if !ended { kill(pid, SIGKILL) }
        _ = try? await task.value
        directory.remove()
    }

    /// What `dig @127.0.0.1 -p PORT name type +short` prints, one value a line, sorted.
    func dig(_ name: String, _ type: String) async throws -> [String] {
        let output = try await Programs.run("/usr/bin/dig", ["@127.0.0.1", "-p", String(port), name, type, "+short", "+norec", "+time=2", "+tries=2"])
        return output.stdout.split(whereSeparator: \.isNewline).map(String.init).sorted()
    }
}
