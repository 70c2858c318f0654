import Config
import Daemon
import Rendezvous
import Supervisor

/// The built-in services this binary runs as children of `homeport run`.
enum Builtins {
    static let all: [BuiltinService] = [rendezvous]

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

/// Healthy when the rendezvous server answers a NAT test with the port we connected from:
/// the protocol works, not merely the socket.
struct NATTestProbe: HealthProbe {
    let port: Int

    var identity: String { "nat-test:\(port)" }

    func check() async throws {
        _ = try await RendezvousClient.natTest(port: port)
    }
}
