import InternetAddress

/// The name or address RustDesk clients reach this server at.
public enum ServerHost: Sendable, Equatable, CustomStringConvertible {
    case name(String)
    case address(IPAddress)

    /// Parses what a user typed: an IP address (IPv6 with or without brackets) or a DNS name.
    /// A port is refused, since the ports come from the configuration.
    public init(parsing text: String) throws(ClientSetupError) {
        var host = Substring(text)
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        if let address = IPAddress(host) {
            self = .address(address)
            return
        }
        if let problem = Self.nameProblem(String(host)) { throw .invalidHost(text, problem) }
        // A fully qualified name's final dot means nothing to a RustDesk client.
        self = .name(String(host.hasSuffix(".") ? host.dropLast() : host).lowercased())
    }

    public var description: String {
        switch self {
        case .name(let name): name
        case .address(let address): address.description
        }
    }

    /// What clients put in a server field: the host alone when `port` is the client's default
    /// for that field (it adds the default itself, hbb_common `src/socket_client.rs`
    /// `check_port`), otherwise `host:port`, with an IPv6 address in brackets.
    public func text(port: Int, clientDefault: Int) -> String {
        guard port != clientDefault else { return description }
        if case .address(let address) = self, address.family == .ipv6 { return "[\(address)]:\(port)" }
        return "\(description):\(port)"
    }

    /// Why `name` is not a DNS host name (RFC 1123 section 2.1 letters, digits and hyphens in
    /// labels of at most 63 characters; underscores pass, as some providers' names have them).
    static func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "it is empty" }
        if name.contains(":") {
            return "give the host alone, without a port: the ports come from [rendezvous] port and [relay] port in the configuration"
        }
        guard name.utf8.count <= 253 else { return "a host name has at most 253 characters" }
        let allowed: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
        if let bad = name.first(where: { !allowed($0) }) {
            return bad.isASCII
                ? "'\(bad)' cannot appear in a host name (letters, digits, '-' and '.' can)"
                : "a host name is ASCII; write an international name in its xn-- form"
        }
        let trimmed = name.hasSuffix(".") ? String(name.dropLast()) : name
        for label in trimmed.split(separator: ".", omittingEmptySubsequences: false) {
            if label.isEmpty { return "it has an empty label (two dots in a row, or a leading dot)" }
            if label.count > 63 { return "the label '\(label)' is longer than 63 characters" }
            if label.hasPrefix("-") || label.hasSuffix("-") { return "the label '\(label)' begins or ends with '-'" }
        }
        return nil
    }
}
