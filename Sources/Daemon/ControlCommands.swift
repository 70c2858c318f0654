import ControlSocket
import Foundation
import Paths
import Rendezvous
import Supervisor

/// The commands the daemon answers on its control socket.
struct ControlCommands: Sendable {
    let supervisor: Supervisor
    let current: CurrentConfig
    let info: DaemonInfo

    static let names = ["ping", "status"]

    func handle(_ command: String, _ arguments: [String]) async -> [UInt8] {
        switch command {
        case "status":
            var info = self.info
            let config = await current.config
            info.configFile = config.sourcePath
            var status = DaemonStatus(daemon: info, services: await supervisor.statuses())
            if config.rendezvous.enabled {
                status.rendezvous = await Self.rendezvousSummary(stateDirectory: info.stateDirectory)
            }
            return encode(status)
        case "ping":
            return Array(#"{"ok":true}"#.utf8)
        default:
            return encode(["error": "unknown command '\(command)'; known commands: \(Self.names.joined(separator: ", "))"])
        }
    }

    /// Asked of the child over its admin socket; nil while it is not up.
    static func rendezvousSummary(stateDirectory: String) async -> RendezvousSummary? {
        guard let reply = try? await ControlClient.request(socketPath: join(stateDirectory, "rendezvous.sock"), command: "status", timeout: .seconds(1)) else {
            return nil
        }
        return try? JSONDecoder().decode(RendezvousSummary.self, from: Data(reply))
    }

    private func encode<T: Encodable>(_ value: T) -> [UInt8] {
        (try? Array(StatusJSON.encoder().encode(value))) ?? Array(#"{"error":"encoding failed"}"#.utf8)
    }
}
