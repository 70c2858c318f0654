import ArgumentParser
import ControlSocket
import Daemon
import Foundation
import History
import Paths
import Reports
import StatusModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show what the daemon is doing right now.",
        discussion: """
        Asks the running daemon over its control socket. When no daemon answers, says so and shows the last known state from the history instead; the exit status is then 3 (like `systemctl status`), so scripts can tell. When this user may not read the state directory, the exit status is 4 (status unknown).
        """
    )

    @OptionGroup var locations: LocationOptions

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
        let (stateDirectory, configFile) = locations.stateDirectoryForReading()
        let layout = StateLayout(directory: stateDirectory)
        // LSB init-script status codes: 3 is "not running", 4 "status unknown". A user who
        // may not look into the state directory cannot know, so must not be told "down".
        if let denied = PathAccess.deniedReason(path: layout.controlSocket, need: R_OK | W_OK) {
            Terminal.error(denied)
            throw ExitCode(4)
        }
        let reply: [UInt8]
        do {
            reply = try await ControlClient.request(socketPath: layout.controlSocket, command: "status")
        } catch .permissionDenied(let path) {
            Terminal.error(PathAccess.deniedReason(path: path, need: R_OK | W_OK) ?? "permission denied on \(path)")
            throw ExitCode(4)
        } catch .notRunning(let path) {
            if let denied = PathAccess.deniedReason(path: layout.historyDatabase, need: R_OK) {
                Terminal.error(denied)
                throw ExitCode(4)
            }
            let history = try? HistoryStore(path: layout.historyDatabase, readOnly: true)
            let status = OfflineStatus.build(history: history, stateDirectory: stateDirectory, configFile: configFile)
            if json {
                print(try StatusJSON.text(status))
            } else {
                print(StatusReport.render(status, now: Date(), style: Terminal.style, unreachableReason: "no daemon answers on \(path)"))
            }
            throw ExitCode(3)
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
        do {
            if json {
                print(String(decoding: reply, as: UTF8.self))
                return
            }
            let status = try StatusJSON.decoder().decode(DaemonStatus.self, from: Data(reply))
            print(StatusReport.render(status, now: Date(), style: Terminal.style))
        } catch {
            Terminal.error("the daemon's answer could not be read: \(error)")
            throw ExitCode.failure
        }
    }
}

extension LocationOptions {
    /// For read-only commands: a broken config file must not stop `status` or `history`
    /// from finding the state directory, so fall back to flags and defaults with a warning.
    func stateDirectoryForReading() -> (stateDirectory: String, configFile: String?) {
        do {
            let resolved = try resolve()
            return (resolved.stateDirectory, resolved.config.sourcePath)
        } catch {
            Terminal.warning("\(error) (ignored here)")
            return (stateDirectoryWithoutConfig(), nil)
        }
    }
}
