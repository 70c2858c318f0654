/// Why the client setup cannot be printed; each says what to do about it.
public enum ClientSetupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `--host` is neither an IP address nor a host name.
    case invalidHost(String, String)
    /// No `--host`, no DDNS hostname, no public address in the history (`historyProblem`
    /// says why none could be read, when it could not).
    case noHost(configFile: String?, historyProblem: String?)
    /// There is no id_ed25519 at this path.
    case keyMissing(path: String)
    /// The key file belongs to the daemon's account, not to the user running the command.
    case keyOfOtherUser(path: String, owner: UInt32, ownerName: String?)
    /// The key files exist but are unusable (the key file error's sentence).
    case keyUnusable(String)

    public var description: String {
        switch self {
        case .invalidHost(let text, let problem):
            return "--host '\(text)' is not a host name or IP address: \(problem)."
        case .noHost(let configFile, let historyProblem):
            let config = configFile.map { "no [[ddns]] hostname in \($0)" } ?? "no configuration file with a [[ddns]] hostname"
            let history = historyProblem.map { "no public address is known (\($0.hasSuffix(".") ? String($0.dropLast()) : $0))" }
                ?? "no public address in the history yet"
            return "there is no name or address to give the clients: no --host, \(config), and \(history). "
                + "Pass --host NAME (the name or public address clients reach this machine at), add a [[ddns]] entry, "
                + "or let `homeport run` find the public address first."
        case .keyMissing(let path):
            return "there is no server key yet: \(path) does not exist. `homeport keygen` creates it (so does `homeport run` on its first start)."
        case .keyOfOtherUser(let path, let owner, let ownerName):
            let user = ownerName ?? "uid \(owner)"
            let command = ownerName.map { "sudo -u \($0) homeport client-config" } ?? "homeport client-config as uid \(owner)"
            return "the server key \(path) belongs to \(user), not to the user running this command; run `\(command)` (with the same options) to read it as the daemon does."
        case .keyUnusable(let sentence):
            return sentence
        }
    }
}
