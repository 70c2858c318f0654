import ArgumentParser

/// `--max-connections-per-ip N` (or MAX_CONNECTIONS_PER_IP in the environment or `.env`, in
/// the style of hbbs/hbbr variables) for `homeport relay` and `homeport rendezvous`: how many
/// connections one IPv4 address or IPv6 /64 may hold open on the server's TCP ports together.
enum ConnectionCapOption {
    static let range = 1...65_536
    static let environmentName = "MAX_CONNECTIONS_PER_IP"
    static let help = ArgumentHelp("Connections one IPv4 address or IPv6 /64 may hold open at once (default 128, 1-65536; MAX_CONNECTIONS_PER_IP).", valueName: "n")

    /// The flag wins over the environment; nil when neither is set.
    static func resolve(flag: Int?, environment text: String?) throws -> Int? {
        let value: Int
        if let flag {
            value = flag
        } else if let text, !text.isEmpty {
            guard let parsed = Int(text) else {
                throw ValidationError("\(environmentName) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'.")
            }
            value = parsed
        } else {
            return nil
        }
        guard range.contains(value) else {
            throw ValidationError("The connection cap per IP (--max-connections-per-ip, \(environmentName)) must be from \(range.lowerBound) to \(range.upperBound), not \(value).")
        }
        return value
    }
}
