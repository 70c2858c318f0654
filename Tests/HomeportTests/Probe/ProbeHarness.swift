import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import NIOCore
import NIOPosix
import Probe
import Testing

/// An in-process outside probe on a free loopback port, stopped by cancelling its task.
struct ProbeHarness {
    let port: Int
    let host: String
    private let task: Task<Void, any Error>

    var baseURL: URL {
        // URL wants IPv6 literals in brackets.
        URL(string: host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)")!
    }

    var checkURL: URL { baseURL.appendingPathComponent("v1/check") }

    static func start(host: String = "127.0.0.1", _ configure: (inout ProbeSettings) -> Void = { _ in }) async throws -> ProbeHarness {
        var settings = ProbeSettings(listen: ProbeListenAddress(host: host, port: 0))
        configure(&settings)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "probe-test")
        logger.logLevel = .notice
        let server = ProbeServer(settings: settings, logger: logger)
        let task = Task {
            defer { continuation.finish() }
            try await server.run { port in continuation.yield(port) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            _ = await task.result
            throw TestFailure("the probe did not start: \(String(describing: await task.result))")
        }
        return ProbeHarness(port: port, host: host, task: task)
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }

    /// Runs `body` with a started probe, stopping it whether `body` returns or throws.
    static func with<T>(host: String = "127.0.0.1", _ configure: (inout ProbeSettings) -> Void = { _ in },
                        _ body: (ProbeHarness) async throws -> T) async throws -> T {
        let probe = try await start(host: host, configure)
        do {
            let result = try await body(probe)
            await probe.stop()
            return result
        } catch {
            await probe.stop()
            throw error
        }
    }

    /// A raw POST to the check URL: status, body text and headers.
    func post(_ body: Data, headers: [String: String] = [:]) async throws -> (status: Int, text: String, headers: [AnyHashable: Any]) {
        var request = URLRequest(url: checkURL)
        request.httpMethod = "POST"
        request.timeoutInterval = 20
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        return (http.statusCode, String(decoding: data, as: UTF8.self), http.allHeaderFields)
    }
}

/// The error text of a refusal body.
func probeErrorText(_ text: String) -> String? {
    (try? JSONDecoder().decode(ProbeErrorBody.self, from: Data(text.utf8)))?.error
}

/// A loopback port nothing listens on: bound, read back and closed.
func unusedPort(udp: Bool = false, host: String = "127.0.0.1") async throws -> Int {
    let group = MultiThreadedEventLoopGroup.singleton
    let channel = udp
        ? try await DatagramBootstrap(group: group).bind(host: host, port: 0).get()
        : try await ServerBootstrap(group: group).bind(host: host, port: 0).get()
    let port = try #require(channel.localAddress?.port)
    try await channel.close()
    return port
}
