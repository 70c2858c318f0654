import ArgumentParser
import ControlSocket
import Paths

struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Admin functions of the running rendezvous server (what hbbs's loopback console offered).",
        discussion: """
        Commands: status; relay-servers [host:port,…] (show or replace); always-use-relay [Y|N]; ip-blocker (the registration limiter's table). Answers are JSON.
        """
    )

    @Argument(help: "The command and its arguments.")
    var words: [String] = ["status"]

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("State directory of the server.", valueName: "dir"))
    var stateDirectory: String?

    func run() async throws {
        let directory = stateDirectory ?? ProcessEnvironment.value("HOMEPORT_STATE_DIR") ?? DefaultLocations.current().stateDirectory
        do {
            let reply = try await ControlClient.request(socketPath: join(directory, "rendezvous.sock"), command: words.joined(separator: " "))
            print(String(decoding: reply, as: UTF8.self))
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
    }
}
