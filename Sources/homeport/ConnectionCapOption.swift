import ArgumentParser
import Rendezvous

/// `--max-connections-per-ip N` (or MAX_CONNECTIONS_PER_IP in the environment or `.env`, in
/// the style of hbbs/hbbr variables) for `homeport relay` and `homeport rendezvous`: how many
/// connections one IPv4 address or IPv6 /64 may hold open on the server's TCP ports together.
enum ConnectionCapOption {
    static let range = 1...65_536
    static let environmentName = "MAX_CONNECTIONS_PER_IP"
    static let help = ArgumentHelp("Connections one IPv4 address or IPv6 /64 may hold open at once (default 128, 1-65536; MAX_CONNECTIONS_PER_IP).", valueName: "n")

    /// The flag wins over the environment; nil when neither is set. Range-checked like every
    /// other number of these commands (`OptionSources.integer`).
    static func resolve(flag: Int?, sources: OptionSources) throws -> Int? {
        try sources.integer(environmentName, flag: flag, flagName: "--max-connections-per-ip", in: range)
    }
}
