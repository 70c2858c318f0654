import ArgumentParser
import Config
import Foundation
import NATBehavior

/// Runs the NAT-behaviour probe once and prints its facts as JSON: how the lab tests run it
/// inside a network namespace. `homeport check` is the user's way to it.
struct NATMappingDebugCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "nat-mapping")

    @Option(name: .customLong("server"), help: "A STUN server, host[:port]; repeat for more (default: [check] stun's defaults).")
    var servers: [String] = []

    @Option(name: .customLong("timeout-ms"), help: "How long to wait for answers.")
    var timeoutMilliseconds = 3000

    func run() async throws {
        var stun: [STUNServer] = []
        for text in servers {
            switch HostPort.parse(text, defaultPort: CheckSettings.defaultSTUNPort) {
            case .success(let server): stun.append(STUNServer(host: server.host, port: server.port))
            case .failure(let problem): throw ValidationError("--server: \(problem)")
            }
        }
        if stun.isEmpty {
            stun = CheckSettings.defaultSTUNServers.map { STUNServer(host: $0.host, port: $0.port) }
        }
        let report = await NATMappingProbe().probe(servers: stun, timeout: .milliseconds(timeoutMilliseconds))
        let data = try JSONSerialization.data(withJSONObject: Self.json(report), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
    }

    static func json(_ report: NATMappingReport) -> [String: Any] {
        var verdict: [String: Any] = ["kind": report.verdict.kind, "summary": report.summary]
        switch report.verdict {
        case .noNAT(let endpoint), .endpointIndependent(let endpoint): verdict["mapped"] = [endpoint.description]
        case .variesByDestination(let endpoints): verdict["mapped"] = endpoints.map(\.description)
        case .unknown(let reason): verdict["reason"] = reason
        }
        let servers = report.results.map { result -> [String: Any] in
            var line: [String: Any] = ["server": result.server.description]
            if let destination = result.destination { line["destination"] = destination.description }
            switch result.outcome {
            case .mapped(let mapping):
                line["mapped"] = mapping.mapped.description
                if let local = mapping.local { line["local"] = local.description }
                line["attribute"] = mapping.attribute.rawValue
                line["requests"] = mapping.requestsSent
                let (seconds, attoseconds) = mapping.roundTrip.components
                line["round_trip_ms"] = Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
                if let software = mapping.software { line["software"] = software }
            case .failed(let failure):
                line["error"] = failure.description
            }
            return line
        }
        var dropped: [String: Any] = ["malformed": report.dropped.malformed, "unmatched": report.dropped.unmatched]
        if let problem = report.dropped.lastProblem { dropped["last_problem"] = problem }
        var object: [String: Any] = ["family": report.family.rawValue, "verdict": verdict, "servers": servers, "dropped": dropped]
        if let port = report.localPort { object["local_port"] = port }
        return object
    }
}
