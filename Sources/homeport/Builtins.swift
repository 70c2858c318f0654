import Config
import Daemon
import Rendezvous
import Supervisor

/// The built-in services this binary runs as children of `homeport run`.
enum Builtins {
    static let all: [BuiltinService] = [rendezvous, relay, probe]

    /// `homeport rendezvous` on [rendezvous] port, state (keys, peers) in the daemon's state
    /// directory, health-checked with a real NAT-test round trip.
    static let rendezvous = BuiltinService(
        name: "rendezvous",
        isEnabled: { $0.rendezvous.enabled },
        arguments: { config, stateDirectory in
            ["rendezvous", "--state-dir", stateDirectory, "-p", String(config.rendezvous.port)]
        },
        ports: { config in [config.rendezvous.port, config.rendezvous.port - 1, config.rendezvous.port + 2] },
        health: { config in NATTestProbe(port: config.rendezvous.port) })
}

/// `homeport relay` on [relay] port. It requires the same key as the ID server (`-k -`):
/// clients send their Key setting to the relay too, and an open relay would let strangers
/// route their sessions through the user's upload.
extension Builtins {
    static let relay = BuiltinService(
        name: "relay",
        isEnabled: { $0.relay.enabled },
        arguments: { config, stateDirectory in
            ["relay", "--state-dir", stateDirectory, "-p", String(config.relay.port), "-k", "-"]
        },
        ports: { config in [config.relay.port, config.relay.port + 2] },
        health: { config in TCPConnectProbe(port: config.relay.port) })
}

/// `homeport probe serve` with [probe]'s settings, so another home's `homeport check` can test
/// its ports from here. Health-checked by a connect when it listens on loopback too.
extension Builtins {
    static let probe = BuiltinService(
        name: "probe",
        isEnabled: { $0.probe.enabled },
        arguments: { config, _ in
            let probe = config.probe
            return ["probe", "serve", "--listen", probe.listen]
                + (probe.tokenFile.map { ["--token-file", $0] } ?? [])
                + ["--requests-per-minute", String(probe.requestsPerMinute), "--max-concurrent", String(probe.maxConcurrent),
                   "--port-timeout-ms", String(Int(probe.portTimeout / .milliseconds(1)))]
        },
        ports: { config in config.probe.listenPort.map { [$0] } ?? [] },
        health: { config in
            let host = config.probe.listenHost
            guard let port = config.probe.listenPort, ["::", "0.0.0.0", "127.0.0.1"].contains(host) else { return nil }
            return TCPConnectProbe(port: port)
        })
}

/// Healthy when the rendezvous server answers a NAT test with the port we connected from:
/// the protocol works, not merely the socket.
struct NATTestProbe: HealthProbe {
    let port: Int

    var identity: String { "nat-test:\(port)" }

    func check() async throws {
        _ = try await RendezvousClient.natTest(port: port)
    }
}
