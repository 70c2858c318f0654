import ArgumentParser
import Config
import Paths
import RustDeskWire

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create (or show) the server key pair and print the public key for RustDesk clients.",
        discussion: """
        The pair lives in the state directory as \(StateLayout.FileName.serverSecretKey) and \(StateLayout.FileName.serverPublicKey) (mode 0600), the same files rustdesk-server uses: to keep your clients working after moving from hbbs, copy those two files into the state directory first. Paste the printed public key into every client's Key field (Settings → Network → ID/Relay server).
        """
    )

    @OptionGroup var locations: LocationOptions

    @Flag(name: .long, help: "Only check the existing pair: both files readable, well-formed and matching.")
    var check = false

    func run() throws {
        let directory = try locations.stateDirectoryOrExit()
        if check {
            switch KeyFiles.check(directory: directory) {
            case .ok(let publicKey):
                print("The key pair in \(directory) is valid. Public key: \(publicKey)")
                return
            case .missing(let path):
                Terminal.error("No key pair: \(path) does not exist; `homeport keygen` creates one.")
            case .invalid(let error):
                Terminal.error("\(error)")
            }
            throw ExitCode.failure
        }
        do {
            for warning in try PrivateFiles.prepareDirectory(directory) { Terminal.warning(warning) }
            let pair = try KeyFiles.loadOrGenerate(directory: directory)
            print("Public key: \(pair.publicKeyBase64)")
            print("Key files: \(join(directory, StateLayout.FileName.serverSecretKey)), \(join(directory, StateLayout.FileName.serverPublicKey))")
            // The ports `homeport run` gives the servers; the defaults when the config cannot be read.
            let config = (try? locations.resolve())?.config ?? HomeportConfig()
            print("In each RustDesk client (Settings → Network → ID/Relay server) enter: ID server = <this host>:\(config.rendezvous.port), "
                + "Relay server = <this host>:\(config.relay.port), Key = the public key above.")
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
    }
}
