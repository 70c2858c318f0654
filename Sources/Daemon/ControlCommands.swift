import Foundation
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
            info.configFile = await current.config.sourcePath
            let status = DaemonStatus(daemon: info, services: await supervisor.statuses())
            return encode(status)
        case "ping":
            return Array(#"{"ok":true}"#.utf8)
        default:
            return encode(["error": "unknown command '\(command)'; known commands: \(Self.names.joined(separator: ", "))"])
        }
    }

    private func encode<T: Encodable>(_ value: T) -> [UInt8] {
        (try? Array(StatusJSON.encoder().encode(value))) ?? Array(#"{"error":"encoding failed"}"#.utf8)
    }
}
