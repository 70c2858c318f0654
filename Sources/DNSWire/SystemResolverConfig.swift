import Foundation
import InternetAddress

/// The name servers the system uses, read from resolv.conf (resolv.conf(5): `nameserver` lines,
/// at most three used; `options timeout:n attempts:n`).
public struct SystemResolverConfig: Sendable, Hashable {
    public static let defaultPath = "/etc/resolv.conf"

    public var nameservers: [DNSServer]
    public var timeout: Duration
    public var attempts: Int

    public init(nameservers: [DNSServer], timeout: Duration = .seconds(5), attempts: Int = 2) {
        self.nameservers = nameservers
        self.timeout = timeout
        self.attempts = attempts
    }

    /// Reads `path`. A missing file or one without usable `nameserver` lines gives an empty list
    /// (callers report "no system resolver"); lines that are not addresses are skipped.
    public static func load(path: String = defaultPath) -> SystemResolverConfig {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return SystemResolverConfig(nameservers: [])
        }
        return parse(text)
    }

    public static func parse(_ text: String) -> SystemResolverConfig {
        var config = SystemResolverConfig(nameservers: [])
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.split(maxSplits: 1, omittingEmptySubsequences: false, whereSeparator: { $0 == "#" || $0 == ";" })
                .first ?? ""
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let keyword = words.first else { continue }
            switch keyword {
            case "nameserver":
                guard words.count >= 2, config.nameservers.count < 3 else { continue }
                // A link-local address may carry "%interface"; an IPAddress has no zone index.
                let address = words[1].split(separator: "%").first.map(String.init) ?? words[1]
                if let server = try? DNSServer(address, port: 53) { config.nameservers.append(server) }
            case "options":
                for option in words.dropFirst() {
                    let parts = option.split(separator: ":", maxSplits: 1)
                    guard parts.count == 2, let value = Int(parts[1]) else { continue }
                    if parts[0] == "timeout" { config.timeout = .seconds(min(max(value, 1), 30)) }
                    if parts[0] == "attempts" { config.attempts = min(max(value, 1), 5) }
                }
            default:
                continue
            }
        }
        return config
    }
}
