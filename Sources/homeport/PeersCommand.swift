import ArgumentParser
import Paths
import Rendezvous

struct PeersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peers",
        abstract: "The rendezvous server's registered peers.",
        subcommands: [ImportPeersCommand.self]
    )
}

struct ImportPeersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import the peers of an existing hbbs db_v2.sqlite3, so every client keeps its ID.",
        discussion: "Peers already present are kept as they are. Stop the rendezvous server (or homeport) first."
    )

    @Argument(help: ArgumentHelp("The hbbs database.", valueName: "db_v2.sqlite3"))
    var source: String

    @OptionGroup var locations: LocationOptions

    func run() throws {
        let directory = try locations.stateDirectoryOrExit()
        do {
            for warning in try PrivateFiles.prepareDirectory(directory) { Terminal.warning(warning) }
            let store = try PeerStore(path: StateLayout(directory: directory).rendezvousDatabase)
            let result = try store.importPeers(from: source)
            print("Imported \(result.imported) peers from \(source)\(result.skipped > 0 ? "; \(result.skipped) were already present and kept" : "").")
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
    }
}
