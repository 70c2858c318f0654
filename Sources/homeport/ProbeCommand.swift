import ArgumentParser
import Foundation
import Logging
import Probe
import ServiceLifecycle

/// `homeport probe`: the outside probe, run on a machine outside the home network.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "The outside probe: tests a home network's ports from outside.",
        subcommands: [ProbeServeCommand.self]
    )
}

struct ProbeServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the outside probe (run it on a VPS or another home, not in the network it checks).",
        discussion: """
        Answers `POST /v1/check` (JSON) by testing the ports a request names on the address the request comes from, and only that address: an address in the request or an X-Forwarded-For header is ignored, so the probe can be neither a port scanner nor a reflector. At most \(ProbeSettings.maximumPorts) ports per request, a few requests a minute per client, 3 s per port. See the README, "Running an outside probe on a VPS".
        """
    )

    @Option(help: ArgumentHelp("ADDR:PORT to listen on, or a bare PORT for every address (default [::]:\(ProbeSettings.defaultPort)).", valueName: "addr:port"))
    var listen: String?

    @Option(name: .customLong("token-file"), help: ArgumentHelp("A file holding the token requests must send (Authorization: Bearer); keep it mode 0600. Without it anyone may ask.", valueName: "file"))
    var tokenFile: String?

    @Option(name: .customLong("requests-per-minute"), help: "Requests each client (an IPv4 address, an IPv6 /64) may make per minute, 1 to 600 (default 6).")
    var requestsPerMinute: Int?

    @Option(name: .customLong("max-concurrent"), help: "Requests checked at once from all clients, 1 to 1024 (default 16).")
    var maxConcurrent: Int?

    @Option(name: .customLong("port-timeout-ms"), help: "How long one port's check may take, 100 to 10000 ms (default 3000).")
    var portTimeoutMilliseconds: Int?

    func run() async throws {
        let settings: ProbeSettings
        do {
            settings = try makeSettings()
        } catch {
            Terminal.error("\(error)")
            throw ExitCode(64)
        }
        ChildLogging.bootstrap()
        let logger = Logger(label: "probe")
        let server = ProbeServer(settings: settings, logger: logger)
        let hasToken = settings.token != nil
        let runner = ProbeServerService(server: server) { port in
            logger.info("outside probe listening on \(settings.listen.host) port \(port); \(hasToken ? "requests need the token" : "no token: anyone may ask")")
        }
        let group = ServiceGroup(services: [runner], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }

    func makeSettings() throws -> ProbeSettings {
        var settings = ProbeSettings()
        if let listen { settings.listen = try ProbeListenAddress(parsing: listen) }
        if let tokenFile { settings.token = try ProbeTokenFile.read(tokenFile) }
        if let requestsPerMinute {
            guard (1...600).contains(requestsPerMinute) else { throw ValidationError("--requests-per-minute must be from 1 to 600, not \(requestsPerMinute)") }
            settings.requestsPerMinute = requestsPerMinute
        }
        if let maxConcurrent {
            guard (1...1024).contains(maxConcurrent) else { throw ValidationError("--max-concurrent must be from 1 to 1024, not \(maxConcurrent)") }
            settings.maximumConcurrentRequests = maxConcurrent
        }
        if let portTimeoutMilliseconds {
            guard (100...10_000).contains(portTimeoutMilliseconds) else {
                throw ValidationError("--port-timeout-ms must be from 100 to 10000, not \(portTimeoutMilliseconds)")
            }
            settings.portTimeout = .milliseconds(portTimeoutMilliseconds)
            settings.requestDeadline = max(settings.requestDeadline, settings.portTimeout + .seconds(5))
        }
        return settings
    }
}

/// The probe server as a service, so SIGTERM shuts it down gracefully.
struct ProbeServerService: Service {
    let server: ProbeServer
    let onListening: @Sendable (Int) async -> Void

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await server.run(onListening: onListening)
        }
    }
}

/// The probe's token file: one line, the token. Others must not read it.
enum ProbeTokenFile {
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem(description: "token file \(path) cannot be read; create it with `head -c 24 /dev/urandom | base64 > \(path) && chmod 600 \(path)`")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: \.isWhitespace) else {
            throw Problem(description: "token file \(path) must hold one token without spaces; it is \(token.isEmpty ? "empty" : "several words")")
        }
        let mode = (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.uint32Value
        if let mode, mode & 0o077 != 0 {
            Terminal.warning("token file \(path) can be read by other users (mode \(String(mode & 0o777, radix: 8))); run `chmod 600 \(path)`")
        }
        return token
    }
}
