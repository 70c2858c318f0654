/// A server named by host and port, as written in the config: `host`, `host:port`,
/// `192.0.2.7:3478` or `[2001:db8::7]:3478`. The host is a DNS name or an IP literal; which one
/// it is, and whether the name resolves, is decided where the server is used.
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port` (an IPv6 host in brackets), the way it is written.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Parses `text`; without a port, `defaultPort`. The error says what is wrong and what
    /// would be valid, without the file and line (the caller adds them).
    public static func parse(_ text: String, defaultPort: Int) -> Result<HostPort, HostPortSyntaxError> {
        let shown = String(text.prefix(80))
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            return .failure(HostPortSyntaxError("\"\(shown)\" is not a host name or address with an optional port"))
        }
        let host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                return .failure(HostPortSyntaxError("\"\(shown)\" opens a bracket for an IPv6 address but does not close it"))
            }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else {
                    return .failure(HostPortSyntaxError("\"\(shown)\": after the bracketed address only \":port\" may follow"))
                }
                portText = rest.dropFirst()
            }
            guard isIPv6Shaped(host) else {
                return .failure(HostPortSyntaxError("\"\(shown)\": only an IPv6 address goes in brackets, such as [2001:db8::7]:\(defaultPort)"))
            }
        } else {
            let colons = text.filter { $0 == ":" }.count
            if colons > 1 {
                return .failure(HostPortSyntaxError("\"\(shown)\": write an IPv6 address in brackets, such as [2001:db8::7]:\(defaultPort)"))
            }
            if let colon = text.firstIndex(of: ":") {
                host = text[..<colon]
                portText = text[text.index(after: colon)...]
            } else {
                host = Substring(text)
            }
            guard isHostName(host) else {
                return .failure(HostPortSyntaxError("\"\(shown)\": '\(host.prefix(80))' is not a host name (letters, digits and '-' in dot-separated labels) or an IPv4 address"))
            }
        }
        var port = defaultPort
        if let portText {
            guard let number = Int(portText), portText.allSatisfy(\.isNumber), (1...65535).contains(number) else {
                return .failure(HostPortSyntaxError("\"\(shown)\": the port must be a number from 1 to 65535, not '\(portText.prefix(20))'"))
            }
            port = number
        }
        return .success(HostPort(host: String(host), port: port))
    }

    /// Letters, digits and hyphens in labels of 1 to 63 characters, at most 253 in all (RFC 1123
    /// section 2.1); a final dot is allowed. IPv4 literals pass as well.
    static func isHostName(_ text: Substring) -> Bool {
        let name = text.hasSuffix(".") ? text.dropLast() : text
        guard !name.isEmpty, name.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// Hex digits, colons and (for an embedded IPv4 tail) dots; the exact address is checked
    /// when it is used.
    static func isIPv6Shaped(_ text: Substring) -> Bool {
        text.contains(":") && text.count <= 45 && text.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }
}

/// Why a `HostPort` could not be read.
public struct HostPortSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
