import Config
import Foundation
import History
import Paths
import RustDeskWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ClientSetup {
    /// The setup for the servers this configuration runs, with the key from `stateDirectory`
    /// (the daemon's, found by the one state-directory rule) and, when neither `host` nor a
    /// `[[ddns]]` entry names the host, the public address from its history.
    public static func load(config: HomeportConfig, stateDirectory: String, host: String?, now: Date = Date()) throws(ClientSetupError) -> ClientSetup {
        let publicKey = try serverPublicKey(stateDirectory: stateDirectory)
        var addresses: [ServerHostChoice.PublicAddress] = []
        var historyProblem: String?
        if host == nil {
            do {
                let history = try HistoryStore(path: StateLayout(directory: stateDirectory).historyDatabase, readOnly: true)
                addresses = try history.ipAddresses(before: now.addingTimeInterval(1)).map { .init(address: $0.address, since: $0.time) }
            } catch {
                historyProblem = "\(error)"
            }
        }
        let choice = try ServerHostChoice.choose(option: host, ddns: config.ddns, publicAddresses: addresses,
                                                 configFile: config.sourcePath, historyProblem: historyProblem)
        var warnings = choice.warnings
        for (name, settings) in [("rendezvous", config.rendezvous), ("relay", config.relay)] where !settings.enabled {
            warnings.append("[\(name)] enabled = false in the configuration: `homeport run` does not start the \(name) server these settings point to.")
        }
        return ClientSetup(host: choice.host, hostSource: choice.source, rendezvousPort: config.rendezvous.port,
                           relayPort: config.relay.port, publicKey: publicKey, warnings: warnings)
    }

    /// The public key of the pair in `stateDirectory`; the secret key is read only to check
    /// that the pair belongs together, and never leaves `KeyFiles`.
    public static func serverPublicKey(stateDirectory: String) throws(ClientSetupError) -> String {
        switch KeyFiles.check(directory: stateDirectory) {
        case .ok(let publicKey):
            return publicKey
        case .missing(let path):
            throw .keyMissing(path: path)
        case .invalid(let error):
            if case .wrongOwner(let owner, _) = error.problem {
                throw .keyOfOtherUser(path: error.path, owner: owner, ownerName: PathAccess.userName(uid_t(owner)))
            }
            throw .keyUnusable(error.description)
        }
    }
}
