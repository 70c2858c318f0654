import Config
import Foundation
import InternetAddress

/// Which name or address the clients get, in this order: `--host`; the first usable hostname
/// of the first `[[ddns]]` entry that has one (it follows the address); the public address the
/// history last recorded (IPv4 before IPv6), with a warning that it changes; otherwise an error
/// saying how to give one.
public struct ServerHostChoice: Sendable, Equatable {
    public var host: ServerHost
    public var source: ClientSetup.HostSource
    public var warnings: [String]

    /// A public address from the history and the time it became current.
    public struct PublicAddress: Sendable, Equatable {
        public var address: IPAddress
        public var since: Date

        public init(address: IPAddress, since: Date) {
            self.address = address
            self.since = since
        }
    }

    /// `historyProblem` says why the history could not be read, for the error when nothing
    /// else names the host.
    public static func choose(option: String?, ddns: [DDNSEntry], publicAddresses: [PublicAddress],
                              configFile: String?, historyProblem: String? = nil) throws(ClientSetupError) -> ServerHostChoice {
        if let option {
            let host = try ServerHost(parsing: option)
            return ServerHostChoice(host: host, source: .option, warnings: scopeWarnings(host))
        }
        for entry in ddns {
            // A wildcard or otherwise unusable record name cannot be a server address.
            if let name = entry.hostnames.lazy.compactMap({ try? ServerHost(parsing: $0) }).first {
                return ServerHostChoice(host: name, source: .ddns(provider: entry.provider), warnings: scopeWarnings(name))
            }
        }
        let preferred = publicAddresses.first { $0.address.family == .ipv4 } ?? publicAddresses.first
        guard let preferred else { throw .noHost(configFile: configFile, historyProblem: historyProblem) }
        let host = ServerHost.address(preferred.address)
        let warning = "no DDNS hostname is configured, so the clients get the public address \(preferred.address) "
            + "(current since \(Self.dayAndTime(preferred.since))); it changes whenever your ISP assigns another one, "
            + "and every client then needs new settings. Add a [[ddns]] entry, or pass --host NAME."
        return ServerHostChoice(host: host, source: .publicAddress(since: preferred.since), warnings: [warning] + scopeWarnings(host))
    }

    /// An address clients outside the home cannot reach.
    static func scopeWarnings(_ host: ServerHost) -> [String] {
        guard case .address(let address) = host, address.scope != .public else { return [] }
        return ["\(address) is a \(address.scope.rawValue) address: only clients on the same network can reach it."]
    }

    /// `2026-12-04 19:48 UTC`.
    static func dayAndTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }
}
